/**
 * HTTP client for the billing backend: every request signed for this terminal, every request
 * bounded by a timeout, every answer read by the one response reader (./http-json.ts) and trusted
 * only when the backend signed it for exactly that request (./signed-exchange.ts). An answer that
 * does not count (unreachable, timed out, 5xx, not JSON, too large, off-schema, not signed, TLS) is
 * one typed outcome, `BackendUnavailable`, that callers branch on; a 404 for an unknown account is
 * an answer. Every verified reply carries the backend's clock: listeners (the clock guard) get a
 * sample of it.
 */
import { z } from 'zod';
import {
  AccountSnapshotSchema,
  SERVER_TIME_PATH,
  ServerTimeSchema,
  ChangesPageSchema,
  EventBatchResultSchema,
  OperatorSnapshotSchema,
  SNAPSHOT_STREAM_CONTENT_TYPE,
  SNAPSHOT_STREAM_PATH,
  type AccountSnapshot,
  type ChangesPage,
  type EventBatchResult,
  type OperatorSnapshot,
  type TerminalEvent,
} from '../wire/backend-wire.js';
import { JOURNAL_ANCHOR_PATH, JournalAnchorSchema, type JournalAnchor, type JournalProof } from '../wire/journal-anchor-wire.js';
import { HEARTBEAT_PATH, HeartbeatAckSchema, type Heartbeat, type HeartbeatAck } from '../wire/kiosk-wire.js';
import { BackendRejected, BackendUnavailable, DEFAULT_MAX_RESPONSE_BYTES, requestJson, type HttpTransport } from './http-json.js';
import { signedExchange } from './signed-exchange.js';
import { fetchLineBytes, linesOf } from './ndjson-stream.js';
import { REPLY_HEADERS, SIGNATURE_HEADERS } from './signing.js';
import { StreamByteVerifier } from './stream-signing.js';

import { TERMINAL_LEDGER_MAX_BYTES, TERMINAL_LEDGER_PATH, TerminalLedgerSchema, type TerminalLedger } from '../wire/shift-wire.js';
import { RECOVERY_DASHBOARD_PATH, RecoveryDashboardWireSchema, type RecoveryDashboardWire } from '../wire/recovery-wire.js';

export { BackendRejected, BackendUnavailable, type UnavailableReason } from './http-json.js';

/** A change page of up to 500 accounts (the backend's limit) stays far below this. */
export const CHANGES_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** One line of the snapshot stream (one account with its open bills) stays far below this. */
export const SNAPSHOT_LINE_MAX_BYTES = 1024 * 1024;

const AccountListSchema = z.object({ items: z.array(AccountSnapshotSchema) });
const OperatorListSchema = z.object({ items: z.array(OperatorSnapshotSchema) });

/** The backend's clock read from one verified reply. */
export interface ClockSample {
  /** The backend's clock as its reply states it (epoch ms). */
  readonly backendMs: number;
  /** The terminal's clock halfway through the exchange (epoch ms). */
  readonly localMs: number;
  /** The monotonic clock at the same moment (ms; only differences mean anything). */
  readonly monotonicMs: number;
  /** Request sent to reply read: the sample is good to ± half of this. */
  readonly roundTripMs: number;
}

export interface BackendClientOptions {
  readonly baseUrl: string;
  readonly terminalId: string;
  readonly secret: string;
  readonly now?: () => Date;
  /** How requests travel (default: Node's fetch with the default CAs); chosen at the composition root. */
  readonly transport?: HttpTransport;
  /** Monotonic milliseconds (default performance.now); a wall clock step does not move it. */
  readonly monotonic?: () => number;
  /** Where a reply that fails its signature is reported — once until a reply verifies again. Default console.warn. */
  readonly log?: (line: string) => void;
}

export class BackendClient {
  private readonly clockListeners = new Set<(sample: ClockSample) => void>();
  /** A forged or unsigned reply was reported and no reply has verified since: do not repeat it. */
  private badSignatureReported = false;

  constructor(private readonly opts: BackendClientOptions) {}

  /** Called with the backend's clock after every verified reply (also a signed refusal). */
  observeClock(listener: (sample: ClockSample) => void): () => void {
    this.clockListeners.add(listener);
    return () => this.clockListeners.delete(listener);
  }

  /** The backend's clock, read now (for the clock guard: a reply to read it from). */
  async time(timeoutMs: number): Promise<void> {
    await this.request('GET', SERVER_TIME_PATH, undefined, timeoutMs, ServerTimeSchema);
  }

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

  /**
   * The snapshot stream after `after` ('' = the whole service area), as raw lines a chunk at a time
   * (./initial-pull.ts parses and checks each). `idleTimeoutMs` bounds the wait for the head and
   * every silence inside the body, not the whole stream, which may take a minute.
   */
  async *snapshotStream(after: string, idleTimeoutMs: number): AsyncGenerator<string[], void, undefined> {
    for await (const bytes of this.snapshotStreamBytes(after, idleTimeoutMs)) {
      const lines = linesOf(bytes);
      if (lines.length > 0) yield lines;
    }
  }

  /**
   * The same stream as complete lines' bytes (UTF-8 checked, each line with its newline): the
   * initial pull holds a batch's lines outside V8's heap until it parses them (`linesOf`). Each
   * Buffer is valid until the next iteration (a view of the signature check's buffer): copy it.
   */
  async *snapshotStreamBytes(after: string, idleTimeoutMs: number): AsyncGenerator<Buffer, void, undefined> {
    const pathWithQuery = `${SNAPSHOT_STREAM_PATH}?after=${encodeURIComponent(after)}`;
    const exchange = signedExchange({
      terminalId: this.opts.terminalId,
      secret: this.opts.secret,
      tsMs: (this.opts.now?.() ?? new Date()).getTime(),
      method: 'GET',
      pathWithQuery,
      body: '',
    });
    // Every chunk is handed on only once the backend's chained signature over it verified (./stream-signing.ts).
    let verifier: StreamByteVerifier | null = null;
    const chunks = fetchLineBytes({
      url: new URL(pathWithQuery, this.opts.baseUrl),
      headers: exchange.headers,
      contentType: SNAPSHOT_STREAM_CONTENT_TYPE,
      idleTimeoutMs,
      maxLineBytes: SNAPSHOT_LINE_MAX_BYTES,
      ...(this.opts.transport ? { transport: this.opts.transport } : {}),
      onHead: (headers) => {
        verifier = new StreamByteVerifier({
          secret: this.opts.secret,
          requestSignature: exchange.headers[SIGNATURE_HEADERS.signature] ?? '',
          nonce: exchange.headers[SIGNATURE_HEADERS.nonce] ?? '',
          replyTs: headers.get(REPLY_HEADERS.timestamp) ?? '',
        });
      },
      // Checked on the bytes as they arrive; nothing is handed on before its mac verified.
      sealed: (bytes) => (verifier as StreamByteVerifier | null)?.take(bytes) ?? Buffer.alloc(0),
    });
    try {
      for await (const chunk of chunks) {
        if (chunk.length > 0) yield chunk;
      }
    } catch (err) {
      if (err instanceof BackendUnavailable && err.reason === 'bad_signature') this.reportBadSignature('GET', pathWithQuery, err);
      throw err;
    }
  }

  /** This terminal's events the backend holds with occurredAt in [from, to) (the shift area's reconciliation). */
  async terminalLedger(fromIso: string, toIso: string, timeoutMs: number): Promise<TerminalLedger> {
    const q = `?from=${encodeURIComponent(fromIso)}&to=${encodeURIComponent(toIso)}`;
    return this.request('GET', `${TERMINAL_LEDGER_PATH}${q}`, undefined, timeoutMs, TerminalLedgerSchema, { maxBytes: TERMINAL_LEDGER_MAX_BYTES });
  }

  /** The service area's recovery figures for billing months [from, to] (the recovery dashboard). */
  async recoveryDashboard(from: string, to: string, timeoutMs: number): Promise<RecoveryDashboardWire> {
    const q = `?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    return this.request('GET', `${RECOVERY_DASHBOARD_PATH}${q}`, undefined, timeoutMs, RecoveryDashboardWireSchema, { maxBytes: 16 * 1024 * 1024 });
  }

  /**
   * Push a batch; with `journal`, the terminal's journal head rides along (docs/audit.md) and a
   * chain the backend refuses throws `BackendRejected` (409, `journal_<reason>`).
   */
  async pushEvents(events: readonly TerminalEvent[], timeoutMs: number, journal?: JournalProof): Promise<EventBatchResult> {
    return this.request('POST', '/api/events', { terminalId: this.opts.terminalId, events, ...(journal ? { journal } : {}) }, timeoutMs, EventBatchResultSchema, {
      answers: (status) => status === 409,
    });
  }

  /** The head the backend last acknowledged for this terminal (null before the first). */
  async journalAnchor(timeoutMs: number): Promise<JournalAnchor> {
    return this.request('GET', JOURNAL_ANCHOR_PATH, undefined, timeoutMs, JournalAnchorSchema);
  }

  /** Anchor the journal's head alone (nothing in the outbox); refused like a push. */
  async anchorJournal(journal: JournalProof, timeoutMs: number): Promise<JournalAnchor> {
    return this.request('POST', JOURNAL_ANCHOR_PATH, { terminalId: this.opts.terminalId, journal }, timeoutMs, JournalAnchorSchema, {
      answers: (status) => status === 409,
    });
  }

  /** The kiosk's minute heartbeat (device health, paper, outbox backlog, version); the backend keeps the latest. */
  async heartbeat(beat: Heartbeat, timeoutMs: number): Promise<HeartbeatAck> {
    return this.request('POST', HEARTBEAT_PATH, beat, timeoutMs, HeartbeatAckSchema);
  }

  private async request<S extends z.ZodType>(
    method: 'GET' | 'POST',
    pathWithQuery: string,
    payload: unknown,
    timeoutMs: number,
    schema: S,
    read: { readonly maxBytes?: number; readonly answers?: (status: number) => boolean } = {},
  ): Promise<z.output<S>> {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const now = (): number => (this.opts.now?.() ?? new Date()).getTime();
    const monotonic = this.opts.monotonic ?? (() => performance.now());
    const sentAt = now();
    const sentMono = monotonic();
    const exchange = signedExchange({ terminalId: this.opts.terminalId, secret: this.opts.secret, tsMs: sentAt, method, pathWithQuery, body });
    try {
      return await requestJson(
        {
          url: new URL(pathWithQuery, this.opts.baseUrl),
          method,
          headers: exchange.headers,
          ...(body ? { body } : {}),
          timeoutMs,
          maxBytes: read.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
          ...(read.answers ? { answers: read.answers } : {}),
          ...(this.opts.transport ? { transport: this.opts.transport } : {}),
          reply: exchange.reply,
        },
        schema,
      );
    } catch (err) {
      if (err instanceof BackendUnavailable && err.reason === 'bad_signature') this.reportBadSignature(method, pathWithQuery, err);
      throw err;
    } finally {
      const backendMs = exchange.backendTime();
      if (backendMs !== null) {
        this.badSignatureReported = false;
        const receivedAt = now();
        const receivedMono = monotonic();
        const sample: ClockSample = {
          backendMs,
          localMs: (sentAt + receivedAt) / 2,
          monotonicMs: (sentMono + receivedMono) / 2,
          roundTripMs: Math.max(0, receivedMono - sentMono),
        };
        for (const listener of this.clockListeners) listener(sample);
      }
    }
  }

  private reportBadSignature(method: string, pathWithQuery: string, err: BackendUnavailable): void {
    if (this.badSignatureReported) return;
    this.badSignatureReported = true;
    const path = pathWithQuery.split('?')[0] ?? pathWithQuery;
    (this.opts.log ?? ((line: string) => console.warn(line)))(
      `[sync] ${method} ${path}: reply refused, ${err.detail} (${err.status ?? 'no status'}); nothing in it is used — until a reply verifies, further ones are not logged`,
    );
  }
}
