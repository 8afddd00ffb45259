/**
 * HTTP client for the billing backend: every request signed for this terminal, every request
 * bounded by a timeout. "Unreachable" (refused, reset, timed out) is one typed outcome the
 * callers branch on; a reachable backend that says no is another.
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
import { signRequest } from './signing.js';

export class BackendUnreachable extends Error {
  constructor(cause: string) {
    super(`billing backend unreachable: ${cause}`);
    this.name = 'BackendUnreachable';
  }
}

export class BackendRejected extends Error {
  constructor(readonly status: number, body: string) {
    super(`billing backend answered ${status}: ${body.slice(0, 200)}`);
    this.name = 'BackendRejected';
  }
}

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
    const res = await this.request('GET', `/api/accounts/${encodeURIComponent(accountNo)}`, undefined, timeoutMs, [404]);
    return res.status === 404 ? null : AccountSnapshotSchema.parse(res.body);
  }

  async search(q: string, timeoutMs: number): Promise<AccountSnapshot[]> {
    const res = await this.request('GET', `/api/accounts?q=${encodeURIComponent(q)}`, undefined, timeoutMs);
    return z.object({ items: z.array(AccountSnapshotSchema) }).parse(res.body).items;
  }

  async operators(timeoutMs: number): Promise<OperatorSnapshot[]> {
    const res = await this.request('GET', '/api/operators', undefined, timeoutMs);
    return z.object({ items: z.array(OperatorSnapshotSchema) }).parse(res.body).items;
  }

  async changes(cursor: string, limit: number, timeoutMs: number): Promise<ChangesPage> {
    const res = await this.request('GET', `/api/changes?cursor=${encodeURIComponent(cursor)}&limit=${limit}`, undefined, timeoutMs);
    return ChangesPageSchema.parse(res.body);
  }

  async pushEvents(events: readonly TerminalEvent[], timeoutMs: number): Promise<EventBatchResult> {
    const res = await this.request('POST', '/api/events', { terminalId: this.opts.terminalId, events }, timeoutMs);
    return EventBatchResultSchema.parse(res.body);
  }

  private async request(
    method: 'GET' | 'POST',
    pathWithQuery: string,
    payload: unknown,
    timeoutMs: number,
    okStatuses: readonly number[] = [],
  ): Promise<{ status: number; body: unknown }> {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const ts = String((this.opts.now?.() ?? new Date()).getTime());
    const headers: Record<string, string> = {
      'x-gd-terminal': this.opts.terminalId,
      'x-gd-timestamp': ts,
      'x-gd-signature': signRequest(this.opts.secret, ts, method, pathWithQuery, body),
    };
    if (body) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(new URL(pathWithQuery, this.opts.baseUrl), {
        method,
        headers,
        ...(body ? { body } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new BackendUnreachable(err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err));
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new BackendUnreachable(err instanceof Error ? err.message : String(err));
    }
    if (!res.ok && !okStatuses.includes(res.status)) throw new BackendRejected(res.status, text);
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  }
}
