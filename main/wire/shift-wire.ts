/**
 * The shift area's part of the backend wire: the events a shift sends (stored by the backend as
 * they come, with no effect on accounts) and the terminal's own ledger for a period, which the
 * four-way reconciliation compares with the terminal's journal. Common tier: zod only.
 */
import { z } from 'zod';
import { LedgerEntrySchema } from './backend-wire.js';

/** GET, signed: `?from=<iso>&to=<iso>` — the requesting terminal's events with occurredAt in [from, to). */
export const TERMINAL_LEDGER_PATH = '/api/ledger/terminal';

export const TerminalLedgerSchema = z.object({ items: z.array(LedgerEntrySchema) });
export type TerminalLedger = z.infer<typeof TerminalLedgerSchema>;

/** The most a period's ledger may weigh on the wire (a busy day is a few MB). */
export const TERMINAL_LEDGER_MAX_BYTES = 64 * 1024 * 1024;

/** Event types a shift sends; each payload carries `eventId` and `shiftId`. */
export const SHIFT_EVENT_TYPES = ['shift.opened', 'cash.in', 'cash.out', 'shift.counted', 'shift.closed'] as const;
