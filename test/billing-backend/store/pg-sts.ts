/**
 * The online STS issuing service (POST /api/sts/issue, sts-issue.ts) on PostgreSQL: the same
 * decisions (`repeatedIssue`, `newIssue`) over `sts_issues` and the seeded `meters`.
 *
 * SQLite serialises a request in one IMMEDIATE transaction; here the primary key on vend_id and
 * the unique (meter_no, tid) do it. The reads go first (one statement), then one `INSERT … ON CONFLICT DO
 * NOTHING`: a request racing another for the same vend or the same TID waits on the other's row
 * and, when that one committed first, inserts nothing — the row it lost to is read again and
 * answered as a repeat (the same token, byte for byte) or refused (`vend_conflict`, `tid_reused`).
 * No transaction is held across the engine's work.
 */
import type pg from 'pg';
import { StsIssueRequestSchema, type StsIssueRequest } from '../../../main/vending/secure-module/online-secure-module.js';
import { badIssueRequest, newIssue, repeatedIssue, stsEngine, type IssueRow, type StsIssueAnswer } from '../sts-issue.js';

/** As sts-issue.ts's table; offline tokens (origin 'offline') are recorded by the intake (pg-offline-tokens.ts). */
export const PG_STS_SCHEMA = `
CREATE TABLE IF NOT EXISTS sts_issues (
  vend_id text PRIMARY KEY, terminal_id text NOT NULL, meter_no text NOT NULL, tid integer NOT NULL,
  rnd integer NOT NULL, amount_tenths bigint NOT NULL, digits text NOT NULL, field integer NOT NULL,
  delivered_tenths bigint NOT NULL, issued_at text NOT NULL, origin text NOT NULL DEFAULT 'online');
CREATE UNIQUE INDEX IF NOT EXISTS sts_issues_meter_tid ON sts_issues (meter_no, tid);
`;

const ISSUE_COLUMNS = 'vend_id, meter_no, tid, rnd, amount_tenths, digits, field, delivered_tenths';

/** The vend's row if issued (all null if not), the meter's record (null: none) and whether the TID is used. */
type Found = { [K in keyof IssueRow]: IssueRow[K] | null } & { kind: string | null; sts_json: string | null; tid_used: boolean };

export class PgStsIssuer {
  private readonly engine = stsEngine();

  constructor(
    private readonly pool: pg.Pool,
    private readonly nowIso: () => string,
  ) {}

  async issue(raw: unknown, terminalId: string): Promise<StsIssueAnswer> {
    const parsed = StsIssueRequestSchema.safeParse(raw);
    if (!parsed.success) return badIssueRequest(parsed.error);
    const req = parsed.data;
    // One statement, one snapshot: a racing request for this vend that committed is seen with its
    // row, never only as a used TID (which would refuse a repeat as tid_reused).
    const found = await this.pool.query<Found>(
      `SELECT v.vend_id, v.meter_no, v.tid, v.rnd, v.amount_tenths, v.digits, v.field, v.delivered_tenths, m.kind, m.sts_json,
         EXISTS (SELECT 1 FROM sts_issues WHERE meter_no = $1 AND tid = $2) AS tid_used
       FROM (SELECT 1) one LEFT JOIN sts_issues v ON v.vend_id = $3 LEFT JOIN meters m ON m.meter_no = $1`,
      [req.meterNo, req.tid, req.vendId],
    );
    const row = found.rows[0] as Found;
    if (row.vend_id !== null) return repeatedIssue(row as IssueRow, req);
    const meter = row.kind === null ? undefined : { kind: row.kind, sts_json: row.sts_json };
    const issued = newIssue(this.engine, meter, row.tid_used, req);
    if (!('row' in issued)) return issued;
    const r = issued.row;
    const inserted = await this.pool.query(
      `INSERT INTO sts_issues (vend_id, terminal_id, meter_no, tid, rnd, amount_tenths, digits, field, delivered_tenths, issued_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
      [r.vend_id, terminalId, r.meter_no, r.tid, r.rnd, r.amount_tenths, r.digits, r.field, r.delivered_tenths, this.nowIso()],
    );
    if (inserted.rowCount === 1) return repeatedIssue(r, req);
    return this.lostRace(req);
  }

  /** Another request took this vend or this TID between the reads and the insert: answer as SQLite would have after it. */
  private async lostRace(req: StsIssueRequest): Promise<StsIssueAnswer> {
    const existing = await this.byVend(req.vendId);
    if (existing !== undefined) return repeatedIssue(existing, req);
    return { status: 409, body: { error: 'tid_reused' } };
  }

  private async byVend(vendId: string): Promise<IssueRow | undefined> {
    return (await this.pool.query<IssueRow>(`SELECT ${ISSUE_COLUMNS} FROM sts_issues WHERE vend_id = $1`, [vendId])).rows[0];
  }
}
