/**
 * A simulated terminal's faulty link to the backend: an `HttpTransport` around the real one that,
 * for a seeded share of requests, breaks the exchange the ways a hall's network does. Each fault
 * is one the exactly-once guarantee has to survive:
 *
 * - `drop`: the request never leaves (refused, no route) — the rows wait in the outbox;
 * - `lost_reply`: the backend took the request and answered, the answer is lost on the way back —
 *   the next push sends the same events again and they must come back `duplicate`;
 * - `duplicate`: the request arrives twice at once (a retrying middlebox) — two pushes of one batch
 *   race inside the backend;
 * - `replay`: a copy of the request arrives again a little later, after the original was taken;
 * - `delay`: the request is held before it goes (slow link), so pushes overlap and queue.
 *
 * The fault is drawn per request from the terminal's own seeded generator, so a run is repeatable
 * up to timing. The rate can change while a run goes on (the fleet drains with faults off).
 */
import type { HttpTransport, TransportRequest } from '../../main/sync/http-json.js';

export const LINK_FAULT_KINDS = ['drop', 'lost_reply', 'duplicate', 'replay', 'delay'] as const;
export type LinkFaultKind = (typeof LINK_FAULT_KINDS)[number];

/** Shared by every terminal's link: the current rate and the counts by kind. */
export class LinkFaultPlan {
  rate: number;
  readonly counts: Record<LinkFaultKind, number> = { drop: 0, lost_reply: 0, duplicate: 0, replay: 0, delay: 0 };

  constructor(rate: number) {
    this.rate = rate;
  }

  total(): number {
    return LINK_FAULT_KINDS.reduce((sum, k) => sum + this.counts[k], 0);
  }

  /** 'drop 3, lost_reply 5, …' — every kind named. */
  describe(): string {
    return LINK_FAULT_KINDS.map((k) => `${k} ${this.counts[k]}`).join(', ');
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Reads and throws away an answer's body, so its keep-alive socket is free again. */
async function drain(res: Promise<Response>): Promise<void> {
  try {
    await (await res).arrayBuffer();
  } catch {
    // The copy's answer does not matter; only that the backend got the request.
  }
}

/** Another exchange of the same request, not bound to the original's timeout. */
function copyOf(req: TransportRequest): TransportRequest {
  return { ...req, signal: AbortSignal.timeout(30_000) };
}

/** `inner` with faults drawn from `rng` at `plan.rate`. */
export function faultyTransport(inner: HttpTransport, plan: LinkFaultPlan, rng: () => number): HttpTransport {
  return {
    send: async (req) => {
      if (plan.rate <= 0 || rng() >= plan.rate) return inner.send(req);
      const kind = LINK_FAULT_KINDS[Math.floor(rng() * LINK_FAULT_KINDS.length)] as LinkFaultKind;
      plan.counts[kind]++;
      switch (kind) {
        case 'drop':
          await sleep(Math.floor(rng() * 50));
          throw new Error('fleet link fault: request dropped');
        case 'lost_reply': {
          const res = await inner.send(req);
          // The backend answered in full (so it took the request); the terminal never hears it.
          await res.arrayBuffer();
          throw new Error('fleet link fault: reply lost');
        }
        case 'duplicate': {
          void drain(inner.send(copyOf(req)));
          return inner.send(req);
        }
        case 'replay': {
          const res = await inner.send(req);
          const again = copyOf(req);
          setTimeout(() => void drain(inner.send(again)), 50 + Math.floor(rng() * 500));
          return res;
        }
        case 'delay':
          await sleep(50 + Math.floor(rng() * 400));
          return inner.send(req);
        default: {
          const never: never = kind;
          throw new Error(`unknown fault ${String(never)}`);
        }
      }
    },
  };
}
