/**
 * The clock guard's part of the contract (owned by sync; merged into the contract's maps in
 * ./index.ts): how far the terminal's clock is from the billing backend's, and whether what depends
 * on the time (late fees, STS token ids, event order) is blocked because of it.
 */
import { z } from 'zod';
import type { MethodName } from './index.js';

export const clockMethodSchemas = {
  /** The clock guard's current verdict (also pushed as `clock.checked` whenever it changes). */
  'clock.status': z.object({}).strict(),
} as const;

export const clockMethodAccess = {
  // Not sensitive, and a kiosk or a sign-in screen may show it too.
  'clock.status': 'public',
} as const;

/**
 * - `unknown`: the backend's clock was never read on this terminal; nothing is blocked.
 * - `ok`: within `maxDriftMs`.
 * - `drift`: further off than `maxDriftMs`: time-dependent calls answer `clock.drift_too_large`.
 */
export type ClockState = 'unknown' | 'ok' | 'drift';

export interface ClockStatusView {
  readonly state: ClockState;
  /** Terminal clock minus backend clock now, in ms (+ = terminal ahead); null while unknown. */
  readonly driftMs: number | null;
  /** The configured limit (`backend.maxClockDriftMs`). */
  readonly maxDriftMs: number;
  /** When the backend's clock was last read (terminal time, ISO 8601); null while unknown. */
  readonly measuredAt: string | null;
  /** How long ago that was (ms, on the terminal's monotonic clock when `basis` is `live`). */
  readonly ageMs: number | null;
  /**
   * `live`: read by this run of the core and carried forward on the monotonic clock, so a step of
   * the wall clock since (offline too) shows at once; `stored`: the offset measured before the last
   * restart, assumed unchanged until the backend answers again.
   */
  readonly basis: 'live' | 'stored' | null;
}

export interface ClockMethodResults {
  'clock.status': ClockStatusView;
}

export interface ClockEventPayloads {
  /** The clock guard's verdict changed (state, or the drift by a second or more while drifting). */
  'clock.checked': ClockStatusView;
}

export const CLOCK_EVENT_NAMES: readonly (keyof ClockEventPayloads)[] = ['clock.checked'];

/**
 * Calls that depend on the clock being right, refused with `clock.drift_too_large` while it is not:
 * they settle late fees as of today's date, mint STS token ids from the minute, or start money
 * events whose time orders them. Finishing what already started (delivering a paid vend,
 * reprinting, reversing) goes on. An area adding such a call adds it here.
 */
export const CLOCK_DEPENDENT_METHODS = [
  'payment.create',
  // A waiver forgives part of the fee due as of today's date.
  'lateFee.waive',
  'vend.preview',
  'vend.purchase',
  'token.manage',
  'kiosk.quoteBills',
  'kiosk.quoteVend',
  'kiosk.order.create',
] as const satisfies readonly MethodName[];
