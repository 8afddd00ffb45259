/**
 * The vend state machine (ARCHITECTURE.md): created → paid → token_issued → delivered, with
 * `cancelled` (payment failed, nothing taken) from created and `reversed` (supervisor-approved,
 * money returned) from any state before delivered. Pure: the service enforces these in SQL
 * (`UPDATE … WHERE state = <from>`), so a transition happens at most once.
 */
import type { VendState } from '../../contract/vending.js';

export const VEND_TRANSITIONS: { readonly [S in VendState]: readonly VendState[] } = {
  created: ['paid', 'cancelled', 'reversed'],
  paid: ['token_issued', 'reversed'],
  token_issued: ['delivered', 'reversed'],
  delivered: [],
  reversed: [],
  cancelled: [],
};

export function canTransition(from: VendState, to: VendState): boolean {
  return VEND_TRANSITIONS[from].includes(to);
}

export const UNFINISHED_STATES: readonly VendState[] = ['created', 'paid', 'token_issued'];

export function isUnfinished(state: VendState): boolean {
  return UNFINISHED_STATES.includes(state);
}

/** Issued tokens are never refunded: reversal is only possible before delivery. */
export function isReversible(state: VendState): boolean {
  return canTransition(state, 'reversed');
}

/** Energy typed by a person ("100", "55.5") → 0.01 kWh, in whole 0.1 kWh (what a token carries); null when malformed. */
export function parseEnergyKwh(text: string): number | null {
  const m = /^\s*(\d{1,7})(?:\.(\d))?\s*$/.exec(text);
  if (!m) return null;
  const ckwh = Number(m[1]) * 100 + Number(m[2] ?? '0') * 10;
  return ckwh > 0 ? ckwh : null;
}

/** 0.01 kWh → "142.8" (one decimal when whole tenths, as STS carries), else "37.25". */
export function formatCkwh(ckwh: number): string {
  const whole = Math.floor(ckwh / 100);
  const cents = ckwh % 100;
  return cents % 10 === 0 ? `${whole}.${cents / 10}` : `${whole}.${String(cents).padStart(2, '0')}`;
}
