/**
 * The reference backend's STS issuing service (POST /api/sts/issue): the "online" secure module.
 * It holds its own copy of the demo vending key (TEST KEY MATERIAL, the same key as
 * resources/keys/demo-vending-key.json) and issues with the shared engine. Idempotent per vendId:
 * a re-request with the same inputs returns the stored token, byte for byte; a TID already used
 * for the meter by another vend is refused.
 */
import { StsParamsSchema, type StsParams } from '../../main/wire/backend-wire.js';
import { StsIssueRequestSchema, type StsIssueRequest, type StsIssueResponse } from '../../main/vending/secure-module/online-secure-module.js';
import { assertMeterIdentity, TokenEngine, type MeterIdentity } from '../../main/vending/sts/index.js';
import { isStsError } from '../../main/vending/sts/sts-error.js';
import { nextCounter, type BackendDb } from './db.js';

export { STS_ISSUE_PATH } from '../../main/vending/secure-module/online-secure-module.js';

/** TEST KEY MATERIAL: the demo vending key. Never a production key. */
const DEMO_VENDING_KEY_TEST_ONLY = 'ABABABABABABABAB';

/**
 * One row per (meter, TID) ever used: issued here (`origin` online) or issued by a terminal's
 * local secure module and reported on sync (`origin` offline; no digits or RND, the terminal never
 * sends them). The UNIQUE index is what stops a second terminal getting a used TID.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS sts_issues (
  vend_id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, meter_no TEXT NOT NULL, tid INTEGER NOT NULL,
  rnd INTEGER NOT NULL, amount_tenths INTEGER NOT NULL, digits TEXT NOT NULL, field INTEGER NOT NULL,
  delivered_tenths INTEGER NOT NULL, issued_at TEXT NOT NULL, origin TEXT NOT NULL DEFAULT 'online');
CREATE UNIQUE INDEX IF NOT EXISTS sts_issues_meter_tid ON sts_issues(meter_no, tid);
`;

export function ensureStsIssuesTable(db: BackendDb): void {
  db.exec(SCHEMA);
  const cols = db.prepare<[], { name: string }>('PRAGMA table_info(sts_issues)').all();
  if (!cols.some((c) => c.name === 'origin')) db.exec("ALTER TABLE sts_issues ADD COLUMN origin TEXT NOT NULL DEFAULT 'online'");
}

export type OfflineIssueOutcome =
  | { readonly kind: 'recorded' }
  | { readonly kind: 'already_recorded' }
  | { readonly kind: 'tid_reused'; readonly byVendId: string; readonly byTerminalId: string };

/**
 * A terminal reported a token its local module issued (vend.token_issued, offline). Its (meter,
 * TID) is recorded so no other terminal is given that TID; a TID already used by another vend is
 * reported back for a backend exception (the token exists: the event itself is not refused).
 */
export function recordOfflineIssue(
  db: BackendDb,
  x: { vendId: string; terminalId: string; meterNo: string; tid: number; amountTenths: number; deliveredTenths: number; issuedAt: string },
): OfflineIssueOutcome {
  const mine = db.prepare<[string], { meter_no: string; tid: number }>('SELECT meter_no, tid FROM sts_issues WHERE vend_id = ?').get(x.vendId);
  if (mine !== undefined && mine.meter_no === x.meterNo && mine.tid === x.tid) return { kind: 'already_recorded' };
  const other = db
    .prepare<[string, number], { vend_id: string; terminal_id: string }>('SELECT vend_id, terminal_id FROM sts_issues WHERE meter_no = ? AND tid = ?')
    .get(x.meterNo, x.tid);
  if (other !== undefined) return { kind: 'tid_reused', byVendId: other.vend_id, byTerminalId: other.terminal_id };
  if (mine !== undefined) return { kind: 'tid_reused', byVendId: x.vendId, byTerminalId: x.terminalId };
  db.prepare(
    `INSERT INTO sts_issues (vend_id, terminal_id, meter_no, tid, rnd, amount_tenths, digits, field, delivered_tenths, issued_at, origin)
     VALUES (?, ?, ?, ?, -1, ?, '', -1, ?, ?, 'offline')`,
  ).run(x.vendId, x.terminalId, x.meterNo, x.tid, x.amountTenths, x.deliveredTenths, x.issuedAt);
  return { kind: 'recorded' };
}

export type KeyChangeOutcome =
  | { readonly kind: 'applied'; readonly accountVersion: number }
  | { readonly kind: 'already_applied' }
  | { readonly kind: 'conflict'; readonly detail: string };

/**
 * A terminal issued a key change pair (token.management_issued, kind key_change): the meter's STS
 * parameters become `next` (KRN, key type, SGC, TI, base date; IIN/DRN never change) and the
 * account's version and change sequence move, so every terminal's next lookup or snapshot pull
 * carries them and the online issuer uses the new key. The tokens were encrypted under `prev`: if
 * this meter's record is neither `prev` nor already `next` (another key change got here first), the
 * pair cannot work on the meter and nothing is changed; the caller records an exception.
 * Call inside the intake transaction.
 */
export function applyKeyChange(
  db: BackendDb,
  x: { accountNo: string; meterNo: string; next: StsParams; prev: StsParams | undefined; nowIso: string },
): KeyChangeOutcome {
  const meter = db
    .prepare<[string], { account_no: string; kind: string; sts_json: string | null }>('SELECT account_no, kind, sts_json FROM meters WHERE meter_no = ?')
    .get(x.meterNo);
  const decision = keyChangeDecision(meter, x);
  if (decision.kind !== 'apply') return decision;
  db.prepare('UPDATE meters SET sts_json = ? WHERE meter_no = ?').run(JSON.stringify(decision.next), x.meterNo);
  const row = db
    .prepare<[string, number, string], { version: number }>('UPDATE accounts SET version = version + 1, updated_at = ?, change_seq = ? WHERE account_no = ? RETURNING version')
    .get(x.nowIso, nextCounter(db, 'change'), decision.accountNo);
  return { kind: 'applied', accountVersion: row?.version ?? 0 };
}

/** What a key change pair does to the meter as on record (shared by both stores): nothing, a conflict, or its new parameters. */
export function keyChangeDecision(
  meter: { readonly account_no: string; readonly kind: string; readonly sts_json: string | null } | undefined,
  x: { readonly accountNo: string; readonly meterNo: string; readonly next: StsParams; readonly prev: StsParams | undefined },
): { readonly kind: 'already_applied' } | { readonly kind: 'conflict'; readonly detail: string } | { readonly kind: 'apply'; readonly next: StsParams; readonly accountNo: string } {
  if (meter === undefined || meter.kind !== 'sts' || meter.sts_json === null) return { kind: 'conflict', detail: `key change for ${x.meterNo}, not an STS meter here` };
  if (meter.account_no !== x.accountNo) return { kind: 'conflict', detail: `key change for meter ${x.meterNo} named account ${x.accountNo}; the meter is on ${meter.account_no}` };
  const current = StsParamsSchema.parse(JSON.parse(meter.sts_json) as unknown);
  const next: StsParams = { ...x.next, iin: current.iin, drn: current.drn, algorithm: current.algorithm };
  if (sameKey(current, next)) return { kind: 'already_applied' };
  if (x.prev !== undefined && !sameKey(current, x.prev)) {
    return { kind: 'conflict', detail: `key change for meter ${x.meterNo} was issued under ${keyText(x.prev)}, the meter is on record with ${keyText(current)}; not applied` };
  }
  return { kind: 'apply', next, accountNo: meter.account_no };
}

function sameKey(a: StsParams, b: StsParams): boolean {
  return a.keyType === b.keyType && a.sgc === b.sgc && a.ti === b.ti && a.krn === b.krn && a.baseDate === b.baseDate;
}

function keyText(p: StsParams): string {
  return `KT ${p.keyType} SGC ${p.sgc} TI ${p.ti} KRN ${p.krn} base ${p.baseDate}`;
}

export interface IssueRow {
  vend_id: string;
  meter_no: string;
  tid: number;
  rnd: number;
  amount_tenths: number;
  digits: string;
  field: number;
  delivered_tenths: number;
}

export type StsIssueAnswer = { readonly status: number; readonly body: StsIssueResponse | { readonly error: string; readonly detail?: string } };

/** The issuing engine of both stores: the demo vending key (TEST KEY MATERIAL), RND as the terminal asks. */
export function stsEngine(): TokenEngine {
  return new TokenEngine({ vendingKey: DEMO_VENDING_KEY_TEST_ONLY, random: () => 0 });
}

/** A re-request for a vend already issued: the stored token when the inputs are the same, else 409 vend_conflict. */
export function repeatedIssue(existing: IssueRow, req: StsIssueRequest): StsIssueAnswer {
  const same = existing.meter_no === req.meterNo && Number(existing.tid) === req.tid && Number(existing.rnd) === req.rnd && Number(existing.amount_tenths) === req.amountTenths;
  return same ? { status: 200, body: answer(existing) } : { status: 409, body: { error: 'vend_conflict' } };
}

/**
 * A new token for `req` on the meter as recorded (undefined: no such meter), or why not — the
 * meter's parameters, then whether its TID is used (`tidUsed`), then the engine. Shared by both stores.
 */
export function newIssue(engine: TokenEngine, meter: { kind: string; sts_json: string | null } | undefined, tidUsed: boolean, req: StsIssueRequest): { row: IssueRow } | StsIssueAnswer {
  if (meter === undefined || meter.kind !== 'sts' || meter.sts_json === null) return { status: 404, body: { error: 'meter_not_found' } };
  const sts = StsParamsSchema.parse(JSON.parse(meter.sts_json) as unknown);
  const expected = req.sts;
  if (expected !== undefined && (expected.keyType !== sts.keyType || expected.sgc !== sts.sgc || expected.ti !== sts.ti || expected.krn !== sts.krn || expected.baseDate !== sts.baseDate)) {
    return { status: 409, body: { error: 'sts_params_mismatch' } };
  }
  if (tidUsed) return { status: 409, body: { error: 'tid_reused' } };
  const identity: MeterIdentity = { ...sts };
  try {
    assertMeterIdentity(identity);
    const t = engine.creditToken(identity, { amountTenths: req.amountTenths, tid: req.tid, rnd: req.rnd });
    return { row: { vend_id: req.vendId, meter_no: req.meterNo, tid: t.tid, rnd: t.rnd, amount_tenths: req.amountTenths, digits: t.digits, field: t.field, delivered_tenths: t.deliveredTenths } };
  } catch (e) {
    if (isStsError(e)) return { status: 422, body: { error: e.code.replace('vending.', '') } };
    throw e;
  }
}

export class StsIssuer {
  private readonly engine = stsEngine();

  constructor(
    private readonly db: BackendDb,
    private readonly nowIso: () => string,
  ) {
    ensureStsIssuesTable(db);
  }

  issue(raw: unknown, terminalId: string): StsIssueAnswer {
    const parsed = StsIssueRequestSchema.safeParse(raw);
    if (!parsed.success) return badIssueRequest(parsed.error);
    const req = parsed.data;
    return this.db
      .transaction((): StsIssueAnswer => {
        const existing = this.db.prepare<[string], IssueRow>('SELECT * FROM sts_issues WHERE vend_id = ?').get(req.vendId);
        if (existing !== undefined) return repeatedIssue(existing, req);
        const meter = this.db.prepare<[string], { kind: string; sts_json: string | null }>('SELECT kind, sts_json FROM meters WHERE meter_no = ?').get(req.meterNo);
        const tidUsed = this.db.prepare('SELECT 1 FROM sts_issues WHERE meter_no = ? AND tid = ?').get(req.meterNo, req.tid) !== undefined;
        const issued = newIssue(this.engine, meter, tidUsed, req);
        if (!('row' in issued)) return issued;
        const row = issued.row;
        this.db
          .prepare(
            `INSERT INTO sts_issues (vend_id, terminal_id, meter_no, tid, rnd, amount_tenths, digits, field, delivered_tenths, issued_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(row.vend_id, terminalId, row.meter_no, row.tid, row.rnd, row.amount_tenths, row.digits, row.field, row.delivered_tenths, this.nowIso());
        return { status: 200, body: answer(row) };
      })
      .immediate();
  }

  /** Tokens issued for a meter (tests and reconciliation). */
  issuedFor(meterNo: string): { vendId: string; tid: number; digits: string }[] {
    return this.db
      .prepare<[string], { vend_id: string; tid: number; digits: string }>('SELECT vend_id, tid, digits FROM sts_issues WHERE meter_no = ? ORDER BY tid')
      .all(meterNo)
      .map((r) => ({ vendId: r.vend_id, tid: r.tid, digits: r.digits }));
  }
}

/** 400 bad_request with the first issue's words (both stores). */
export function badIssueRequest(error: { issues: readonly { message: string }[] }): StsIssueAnswer {
  return { status: 400, body: { error: 'bad_request', detail: error.issues[0]?.message ?? '' } };
}

function answer(r: IssueRow): StsIssueResponse {
  // Numbers as numbers whichever store read them (pg gives bigint columns as text).
  return { digits: r.digits, tid: Number(r.tid), rnd: Number(r.rnd), field: Number(r.field), deliveredTenths: Number(r.delivered_tenths) };
}
