/** Waiting on the core's events and on conditions in integration tests, never on fixed sleeps. */
import type { EventName, EventPayloads } from '../../main/contract/index.js';
import type { Core } from '../../main/core.js';

/** Every payload of `event` from now on, in order. */
export function collectEvents<E extends EventName>(core: Core, event: E): EventPayloads[E][] {
  const seen: EventPayloads[E][] = [];
  core.on(event, (p) => seen.push(p));
  return seen;
}

/** Resolves once `check()` holds; fails the test after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
