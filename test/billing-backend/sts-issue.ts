/**
 * The reference backend's STS issuing service (POST /api/sts/issue): the "online" secure module.
 * It holds its own copy of the demo vending key (TEST KEY MATERIAL, the same key as
 * resources/keys/demo-vending-key.json) and issues with the shared engine. Idempotent per vendId:
 * a re-request with the same inputs returns the stored token, byte for byte; a TID already used
 * for the meter by another vend is refused.
 */
import { StsParamsSchema } from '../../main/sync/backend-wire.js';
import { StsIssueRequestSchema, type StsIssueResponse } from '../../main/vending/secure-module/online-secure-module.js';
import { assertMeterIdentity, TokenEngine, type MeterIdentity } from '../../main/vending/sts/index.js';
import { isStsError } from '../../main/vending/sts/sts-error.js';
import type { BackendDb } from './db.js';

export { STS_ISSUE_PATH } from '../../main/vending/secure-module/online-secure-module.js';

/** TEST KEY MATERIAL: the demo vending key. Never a production key. */
const DEMO_VENDING_KEY_TEST_ONLY = 'ABABABABABABABAB';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sts_issues (
  vend_id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, meter_no TEXT NOT NULL, tid INTEGER NOT NULL,
  rnd INTEGER NOT NULL, amount_tenths INTEGER NOT NULL, digits TEXT NOT NULL, field INTEGER NOT NULL,
  delivered_tenths INTEGER NOT NULL, issued_at TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS sts_issues_meter_tid ON sts_issues(meter_no, tid);
`;

interface IssueRow {
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

export class StsIssuer {
  private readonly engine = new TokenEngine({ vendingKey: DEMO_VENDING_KEY_TEST_ONLY, random: () => 0 });

  constructor(
    private readonly db: BackendDb,
    private readonly nowIso: () => string,
  ) {
    db.exec(SCHEMA);
  }

  issue(raw: unknown, terminalId: string): StsIssueAnswer {
    const parsed = StsIssueRequestSchema.safeParse(raw);
    if (!parsed.success) return { status: 400, body: { error: 'bad_request', detail: parsed.error.issues[0]?.message ?? '' } };
    const req = parsed.data;
    return this.db
      .transaction((): StsIssueAnswer => {
        const existing = this.db.prepare<[string], IssueRow>('SELECT * FROM sts_issues WHERE vend_id = ?').get(req.vendId);
        if (existing !== undefined) {
          const same = existing.meter_no === req.meterNo && existing.tid === req.tid && existing.rnd === req.rnd && existing.amount_tenths === req.amountTenths;
          return same ? { status: 200, body: answer(existing) } : { status: 409, body: { error: 'vend_conflict' } };
        }
        const meter = this.db.prepare<[string], { kind: string; sts_json: string | null }>('SELECT kind, sts_json FROM meters WHERE meter_no = ?').get(req.meterNo);
        if (meter === undefined || meter.kind !== 'sts' || meter.sts_json === null) return { status: 404, body: { error: 'meter_not_found' } };
        const sts = StsParamsSchema.parse(JSON.parse(meter.sts_json) as unknown);
        if (this.db.prepare('SELECT 1 FROM sts_issues WHERE meter_no = ? AND tid = ?').get(req.meterNo, req.tid) !== undefined) {
          return { status: 409, body: { error: 'tid_reused' } };
        }
        const identity: MeterIdentity = { ...sts };
        let row: IssueRow;
        try {
          assertMeterIdentity(identity);
          const t = this.engine.creditToken(identity, { amountTenths: req.amountTenths, tid: req.tid, rnd: req.rnd });
          row = { vend_id: req.vendId, meter_no: req.meterNo, tid: t.tid, rnd: t.rnd, amount_tenths: req.amountTenths, digits: t.digits, field: t.field, delivered_tenths: t.deliveredTenths };
        } catch (e) {
          if (isStsError(e)) return { status: 422, body: { error: e.code.replace('vending.', '') } };
          throw e;
        }
        this.db
          .prepare('INSERT INTO sts_issues VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
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

function answer(r: IssueRow): StsIssueResponse {
  return { digits: r.digits, tid: r.tid, rnd: r.rnd, field: r.field, deliveredTenths: r.delivered_tenths };
}
