/**
 * The exceptions queue's part of the contract (docs/exceptions.md): events the billing backend
 * rejected and exceptions it recorded while accepting ours (a bill paid elsewhere, an account closed
 * or moved, a tariff changed under a vend), for supervisors to read in plain words and resolve.
 * Merged into the contract's maps in ./index.ts.
 */
import { z } from 'zod';
import type { Access } from './roles.js';
import { EXCEPTION_RESOLUTIONS } from '../wire/exceptions-wire.js';

export { EXCEPTION_RESOLUTIONS };
export type ExceptionResolutionCode = (typeof EXCEPTION_RESOLUTIONS)[number];

export const exceptionsMethodSchemas = {
  /** The queue: open items oldest first, or the latest resolved ones. */
  'exceptions.list': z.object({ status: z.enum(['open', 'resolved']).default('open') }).strict(),
  /**
   * A supervisor resolves an item with an outcome and a note (journaled, and sent to the backend as
   * `exception.resolved`). `resend` (rejected events only) queues the event again behind the others.
   */
  'exceptions.resolve': z
    .object({ id: z.int().positive(), resolution: z.enum(EXCEPTION_RESOLUTIONS), note: z.string().trim().min(1).max(500) })
    .strict(),
  /**
   * Check a provisional receipt (docs/exceptions.md): its verify code against the issuing
   * terminal's key at the backend (this terminal's when `terminalId` is absent), and whether the
   * payment has arrived there. Needs the backend.
   */
  'receipt.verify': z
    .object({
      terminalId: z.string().trim().min(1).max(64).optional(),
      paymentId: z.uuid(),
      amount: z.string().trim().min(1).max(40),
      code: z.string().trim().min(1).max(32),
    })
    .strict(),
} as const;

export const exceptionsMethodAccess = {
  'exceptions.list': ['supervisor', 'manager', 'auditor'],
  'exceptions.resolve': ['supervisor', 'manager'],
  'receipt.verify': ['clerk', 'supervisor', 'manager', 'auditor'],
} as const satisfies Record<keyof typeof exceptionsMethodSchemas, Access>;

/**
 * One item. `kind` is the backend's ('bill_already_paid', 'account_closed', 'tariff_changed', …) or
 * `rejected` for an event it refused; the UI words it from `kind` and `facts`, and shows `detail`
 * (the backend's own words) for a kind it has no text for.
 */
export interface SyncExceptionView {
  readonly id: number;
  readonly source: 'rejected' | 'backend';
  readonly kind: string;
  readonly eventId: string;
  readonly eventType: string | null;
  readonly accountNo: string | null;
  readonly billId: string | null;
  /** Money concerned (moved to the balance, held in suspense, or not applied), fen. */
  readonly fen: number;
  readonly detail: string;
  readonly facts: Readonly<Record<string, string | number>>;
  readonly recordedAt: string;
  /** Resolutions this item accepts (`resend` only for a rejected event still held). */
  readonly resolutions: readonly ExceptionResolutionCode[];
  readonly resolved: { readonly at: string; readonly by: string; readonly resolution: ExceptionResolutionCode; readonly note: string } | null;
}

export interface ExceptionsMethodResults {
  'exceptions.list': { readonly items: readonly SyncExceptionView[]; readonly openCount: number };
  'exceptions.resolve': SyncExceptionView;
  /** `valid`: the code is the issuing terminal's for this payment and amount; `synced`: the payment has reached the backend. */
  'receipt.verify': { readonly valid: boolean; readonly synced: boolean };
}

export interface ExceptionsEventPayloads {
  /** Items were added to or resolved in the queue. */
  'exceptions.changed': { readonly openCount: number };
}

export const EXCEPTIONS_EVENT_NAMES: readonly (keyof ExceptionsEventPayloads)[] = ['exceptions.changed'];
