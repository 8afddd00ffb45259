/**
 * Reads this terminal's exceptions back from the backend (`GET /api/terminal/exceptions?after=`,
 * signed, its reply verified like every other) into the supervisors' queue: each page's new items,
 * a journal entry each and the cursor commit together, so a cut between pages or a page read twice
 * adds nothing twice and loses nothing. Runs in the core's sync cycle, after the push that may have
 * caused them (docs/exceptions.md). Also the check of a provisional receipt's verify code.
 */
import { appendJournal } from '../store/journal.js';
import type { Db } from '../store/db.js';
import { exceptionFeedCursor, insertBackendException, setExceptionFeedCursor } from '../store/sync-exceptions.js';
import {
  EXCEPTION_PAGE_LIMIT,
  RECEIPT_VERIFY_PATH,
  ReceiptVerifyResultSchema,
  TERMINAL_EXCEPTIONS_PATH,
  TerminalExceptionPageSchema,
  type ReceiptVerifyRequest,
  type ReceiptVerifyResult,
  type TerminalExceptionPage,
} from '../wire/exceptions-wire.js';
import { requestJson, type HttpTransport } from './http-json.js';
import { signedExchange } from './signed-exchange.js';

/** The feed as the core sees it; chosen at the composition root. */
export interface ExceptionFeedClient {
  page(after: number, timeoutMs: number): Promise<TerminalExceptionPage>;
}

export interface HttpExceptionFeedOptions {
  readonly baseUrl: string;
  readonly terminalId: string;
  readonly secret: string;
  readonly now?: () => Date;
  readonly transport?: HttpTransport;
}

export class HttpExceptionFeed implements ExceptionFeedClient {
  constructor(private readonly opts: HttpExceptionFeedOptions) {}

  async page(after: number, timeoutMs: number): Promise<TerminalExceptionPage> {
    const pathWithQuery = `${TERMINAL_EXCEPTIONS_PATH}?after=${after}`;
    const tsMs = (this.opts.now?.() ?? new Date()).getTime();
    const exchange = signedExchange({ terminalId: this.opts.terminalId, secret: this.opts.secret, tsMs, method: 'GET', pathWithQuery, body: '' });
    return requestJson(
      {
        url: new URL(pathWithQuery, this.opts.baseUrl),
        method: 'GET',
        headers: exchange.headers,
        timeoutMs,
        reply: exchange.reply,
        ...(this.opts.transport ? { transport: this.opts.transport } : {}),
      },
      TerminalExceptionPageSchema,
    );
  }
}

export interface FeedOutcome {
  /** Items new to the queue. */
  readonly added: number;
}

/**
 * Read every page after the stored cursor. Throws what the client throws (unreachable, refused,
 * bad signature): the cursor stays, the next cycle reads again.
 */
export async function readExceptionFeed(db: Db, client: ExceptionFeedClient, now: () => Date, timeoutMs: number): Promise<FeedOutcome> {
  let added = 0;
  for (let pages = 0; pages < 1000; pages++) {
    const after = exceptionFeedCursor(db);
    const { items } = await client.page(after, timeoutMs);
    // A page that does not move on (or moves backwards) is not trusted to move the cursor.
    const fresh = items.filter((x) => x.id > after);
    if (fresh.length === 0) break;
    db.transaction(() => {
      const at = now().toISOString();
      for (const x of fresh) {
        if (!insertBackendException(db, x, at)) continue;
        added++;
        appendJournal(db, {
          type: 'sync.exception_received',
          ref: x.eventId,
          actor: 'system',
          at,
          payload: { backendId: x.id, eventId: x.eventId, kind: x.kind, accountNo: x.accountNo ?? null, fen: x.fen },
        });
      }
      setExceptionFeedCursor(db, Math.max(...fresh.map((x) => x.id)));
    }).immediate();
    if (items.length < EXCEPTION_PAGE_LIMIT) break;
  }
  return { added };
}

/** Checks a provisional receipt's verify code at the backend (`POST /api/receipts/verify`, signed). */
export class HttpReceiptVerifier {
  constructor(private readonly opts: HttpExceptionFeedOptions) {}

  async verify(req: ReceiptVerifyRequest, timeoutMs: number): Promise<ReceiptVerifyResult> {
    const body = JSON.stringify(req);
    const tsMs = (this.opts.now?.() ?? new Date()).getTime();
    const exchange = signedExchange({ terminalId: this.opts.terminalId, secret: this.opts.secret, tsMs, method: 'POST', pathWithQuery: RECEIPT_VERIFY_PATH, body });
    return requestJson(
      {
        url: new URL(RECEIPT_VERIFY_PATH, this.opts.baseUrl),
        method: 'POST',
        headers: exchange.headers,
        body,
        timeoutMs,
        reply: exchange.reply,
        ...(this.opts.transport ? { transport: this.opts.transport } : {}),
      },
      ReceiptVerifyResultSchema,
    );
  }
}
