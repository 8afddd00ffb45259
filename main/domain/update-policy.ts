/**
 * When a terminal checks for, and installs, a new GridDesk version (docs/deploy/updates.md). Pure:
 * the Electron shell asks it on every tick and does what it says. A supervisor's deferral holds
 * both the check and the install; a downloaded update installs only when nobody can lose work by
 * the restart — on a kiosk, no customer's visit and no paid purchase waiting for delivery; on a
 * counter, no staff signed in (or at the next quit).
 */

export interface UpdateSchedule {
  /** How often to ask the update server. */
  readonly checkIntervalMs: number;
}

export interface UpdateState {
  /** When the update server was last asked (epoch ms), null if never in this run. */
  readonly lastCheckAt: number | null;
  /** A supervisor's deferral (epoch ms), null when none. */
  readonly deferredUntil: number | null;
  /** A downloaded update waiting to be installed, null when none. */
  readonly downloadedVersion: string | null;
}

export type UpdateStep =
  | { readonly kind: 'check' }
  | { readonly kind: 'install'; readonly version: string }
  | { readonly kind: 'wait'; readonly reason: 'deferred' | 'not_due' | 'busy'; readonly untilMs: number | null };

/**
 * @param idle nothing would be lost by restarting now (see the file comment).
 */
export function nextUpdateStep(now: number, state: UpdateState, schedule: UpdateSchedule, idle: boolean): UpdateStep {
  if (state.deferredUntil !== null && state.deferredUntil > now) return { kind: 'wait', reason: 'deferred', untilMs: state.deferredUntil };
  if (state.downloadedVersion !== null) {
    return idle ? { kind: 'install', version: state.downloadedVersion } : { kind: 'wait', reason: 'busy', untilMs: null };
  }
  if (state.lastCheckAt === null || now - state.lastCheckAt >= schedule.checkIntervalMs) return { kind: 'check' };
  return { kind: 'wait', reason: 'not_due', untilMs: state.lastCheckAt + schedule.checkIntervalMs };
}

/** The longest deferral a supervisor may set (a terminal must not stay behind for good). */
export const MAX_DEFER_HOURS = 72;
