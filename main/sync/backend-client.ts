/**
 * HTTP client for the billing backend: every request signed for this terminal, every request
 * bounded by a timeout, every answer read by the one response reader (./http-json.ts). An answer
 * that does not count (unreachable, timed out, 5xx, not JSON, too large, off-schema) is one typed
 * outcome, `BackendUnavailable`, that callers branch on; a 404 for an unknown account is an answer.
 */
import { z } from 'zod';
import {
  AccountSnapshotSchema,
  ChangesPageSchema,
  EventBatchResultSchema,
  OperatorSnapshotSchema,
  type AccountSnapshot,
  type ChangesPage,
  type EventBatchResult,
  type OperatorSnapshot,
  type TerminalEvent,
} from '../wire/backend-wire.js';
import { HEARTBEAT_PATH, HeartbeatAckSchema, type Heartbeat, type HeartbeatAck } from '../wire/kiosk-wire.js';
import { BackendRejected, DEFAULT_MAX_RESPONSE_BYTES, requestJson } from './http-json.js';
import { signRequest } from './signing.js';

import { TERMINAL_LEDGER_MAX_BYTES, TERMINAL_LEDGER_PATH, TerminalLedgerSchema, type TerminalLedger } from '../wire/shift-wire.js';

export { BackendRejected, BackendUnavailable, type UnavailableReason } from './http-json.js';

/** A change page of up to 500 accounts (the backend's limit) stays far below this. */
export const CHANGES_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

const AccountListSchema = z.object({ items: z.array(AccountSnapshotSchema) });
const OperatorListSchema = z.object({ items: z.array(OperatorSnapshotSchema) });

export interface BackendClientOptions {
  readonly baseUrl: string;
  readonly terminalId: string;
  readonly secret: string;
  readonly now?: () => Date;
}

export class BackendClient {
  constructor(private readonly opts: BackendClientOptions) {}

  /** The account, or null when the backend says it does not exist. */
  async getAccount(accountNo: string, timeoutMs: number): Promise<AccountSnapshot | null> {
    try {
      return await this.request('GET', `/api/accounts/${encodeURIComponent(accountNo)}`, undefined, timeoutMs, AccountSnapshotSchema, {
        answers: (status) => status === 404,
      });
    } catch (err) {
      if (err instanceof BackendRejected && err.status === 404) return null;
      throw err;
    }
  }

  async search(q: string, timeoutMs: number): Promise<AccountSnapshot[]> {
    return (await this.request('GET', `/api/accounts?q=${encodeURIComponent(q)}`, undefined, timeoutMs, AccountListSchema)).items;
  }

  async operators(timeoutMs: number): Promise<OperatorSnapshot[]> {
    return (await this.request('GET', '/api/operators', undefined, timeoutMs, OperatorListSchema)).items;
  }

  async changes(cursor: string, limit: number, timeoutMs: number): Promise<ChangesPage> {
    return this.request('GET', `/api/changes?cursor=${encodeURIComponent(cursor)}&limit=${limit}`, undefined, timeoutMs, ChangesPageSchema, {
      maxBytes: CHANGES_MAX_RESPONSE_BYTES,
    });
  }

  /** This terminal's events the backend holds with occurredAt in [from, to) (the shift area's reconciliation). */
  async terminalLedger(fromIso: string, toIso: string, timeoutMs: number): Promise<TerminalLedger> {
    const q = `?from=${encodeURIComponent(fromIso)}&to=${encodeURIComponent(toIso)}`;
    return this.request('GET', `${TERMINAL_LEDGER_PATH}${q}`, undefined, timeoutMs, TerminalLedgerSchema, { maxBytes: TERMINAL_LEDGER_MAX_BYTES });
  }

  async pushEvents(events: readonly TerminalEvent[], timeoutMs: number): Promise<EventBatchResult> {
    return this.request('POST', '/api/events', { terminalId: this.opts.terminalId, events }, timeoutMs, EventBatchResultSchema);
  }

  /** The kiosk's minute heartbeat (device health, paper, outbox backlog, version); the backend keeps the latest. */
  async heartbeat(beat: Heartbeat, timeoutMs: number): Promise<HeartbeatAck> {
    return this.request('POST', HEARTBEAT_PATH, beat, timeoutMs, HeartbeatAckSchema);
  }

  private request<S extends z.ZodType>(
    method: 'GET' | 'POST',
    pathWithQuery: string,
    payload: unknown,
    timeoutMs: number,
    schema: S,
    read: { readonly maxBytes?: number; readonly answers?: (status: number) => boolean } = {},
  ): Promise<z.output<S>> {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const ts = String((this.opts.now?.() ?? new Date()).getTime());
    return requestJson(
      {
        url: new URL(pathWithQuery, this.opts.baseUrl),
        method,
        headers: {
          'x-gd-terminal': this.opts.terminalId,
          'x-gd-timestamp': ts,
          'x-gd-signature': signRequest(this.opts.secret, ts, method, pathWithQuery, body),
        },
        ...(body ? { body } : {}),
        timeoutMs,
        maxBytes: read.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
        ...(read.answers ? { answers: read.answers } : {}),
      },
      schema,
    );
  }
}
