/**
 * Provisioning on the PostgreSQL store: the tables, codes, refusals and journal of enrolment.ts
 * (SQLite), for a fleet whose backend runs on PostgreSQL (docs/backend.md, "Provisioning").
 *
 * A code is used by one conditional UPDATE in the enrolment's transaction: a second use racing the
 * first waits on its row lock, then finds used_at set (code_used). Terminal ids are numbered per
 * site and mode under a lock on the site's row, so two codes of one site enrolling at once never
 * draw the same number.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import {
  normalizeEnrolmentCode,
  SiteSettingsSchema,
  type EnrolmentJournalEntry,
  type EnrolmentRefusal,
  type IssuedCode,
  type SiteSettings,
} from '../../../main/wire/enrolment-wire.js';
import { DEMO_SITE, hashEnrolmentCode, newEnrolmentCode, type EnrolOutcome } from '../enrolment.js';
import { inTransaction } from './pg-sql.js';

export const PG_ENROLMENT_SCHEMA = `
CREATE TABLE IF NOT EXISTS enrolment_sites (site_id text PRIMARY KEY, settings_json text NOT NULL);
CREATE TABLE IF NOT EXISTS enrolment_codes (
  code_hash text PRIMARY KEY, code_hint text NOT NULL, site_id text NOT NULL REFERENCES enrolment_sites (site_id),
  mode text NOT NULL CHECK (mode IN ('counter', 'kiosk')), issued_at text NOT NULL, expires_at text NOT NULL,
  issued_by text NOT NULL, used_at text, terminal_id text);
CREATE TABLE IF NOT EXISTS enrolled_terminals (
  terminal_id text PRIMARY KEY, secret text NOT NULL, site_id text NOT NULL, mode text NOT NULL,
  enrolled_at text NOT NULL, code_hash text NOT NULL UNIQUE, hostname text);
CREATE TABLE IF NOT EXISTS enrolment_journal (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('code.issued', 'terminal.enrolled', 'enrolment.refused')),
  site_id text, mode text, code_hint text, terminal_id text, reason text, actor text);
`;

type Queryable = pg.Pool | pg.PoolClient;
type JournalEntry = { kind: EnrolmentJournalEntry['kind']; siteId?: string | null; mode?: string | null; codeHint?: string | null; terminalId?: string | null; reason?: string | null; actor?: string | null };

export class PgEnrolment {
  /** Secrets never change once issued (a re-enrolment is a new terminal id): a hit is kept. */
  private readonly secrets = new Map<string, string>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly nowIso: () => string,
  ) {}

  /** The demo's hall, as EnrolmentDesk offers it, unless a site of that id exists. Run once at open. */
  static async prepare(c: Queryable): Promise<void> {
    await c.query('INSERT INTO enrolment_sites (site_id, settings_json) VALUES ($1, $2) ON CONFLICT (site_id) DO NOTHING', [DEMO_SITE.siteId, JSON.stringify(DEMO_SITE.settings)]);
  }

  async secretFor(terminalId: string): Promise<string | undefined> {
    const known = this.secrets.get(terminalId);
    if (known !== undefined) return known;
    const row = (await this.pool.query<{ secret: string }>('SELECT secret FROM enrolled_terminals WHERE terminal_id = $1', [terminalId])).rows[0];
    if (row) this.secrets.set(terminalId, row.secret);
    return row?.secret;
  }

  async putSite(siteId: string, settings: SiteSettings): Promise<void> {
    await this.pool.query(
      'INSERT INTO enrolment_sites (site_id, settings_json) VALUES ($1, $2) ON CONFLICT (site_id) DO UPDATE SET settings_json = excluded.settings_json',
      [siteId, JSON.stringify(SiteSettingsSchema.parse(settings))],
    );
  }

  async issue(req: { siteId: string; mode: 'counter' | 'kiosk'; ttlMinutes: number; issuedBy: string }): Promise<IssuedCode | null> {
    const code = newEnrolmentCode();
    const canonical = normalizeEnrolmentCode(code) as string;
    const issuedAt = this.nowIso();
    const expiresAt = new Date(Date.parse(issuedAt) + req.ttlMinutes * 60_000).toISOString();
    const issued = await this.inTransaction(async (c) => {
      // The code and its journal line in one statement: an unknown site inserts neither.
      const r = await c.query(
        `WITH code AS (
           INSERT INTO enrolment_codes (code_hash, code_hint, site_id, mode, issued_at, expires_at, issued_by)
           SELECT $1, $2, site_id, $3, $4, $5, $6 FROM enrolment_sites WHERE site_id = $7 RETURNING site_id)
         INSERT INTO enrolment_journal (at, kind, site_id, mode, code_hint, actor) SELECT $4, 'code.issued', site_id, $3, $2, $6 FROM code`,
        [hashEnrolmentCode(canonical), canonical.slice(-4), req.mode, issuedAt, expiresAt, req.issuedBy, req.siteId],
      );
      return r.rowCount === 1;
    });
    return issued ? { code, siteId: req.siteId, mode: req.mode, expiresAt } : null;
  }

  async enrol(typed: string, meta: { hostname?: string | undefined } = {}): Promise<EnrolOutcome> {
    const canonical = normalizeEnrolmentCode(typed);
    const actor = meta.hostname ?? null;
    if (canonical === null) {
      await this.journal(this.pool, { kind: 'enrolment.refused', reason: 'code_malformed', actor });
      return { ok: false, refusal: 'code_malformed' };
    }
    const hint = canonical.slice(-4);
    const hash = hashEnrolmentCode(canonical);
    const now = this.nowIso();
    return this.inTransaction(async (c): Promise<EnrolOutcome> => {
      const row = (
        await c.query<{ site_id: string; mode: 'counter' | 'kiosk'; expires_at: string; used_at: string | null }>(
          'SELECT site_id, mode, expires_at, used_at FROM enrolment_codes WHERE code_hash = $1',
          [hash],
        )
      ).rows[0];
      const refusal: EnrolmentRefusal | null = row === undefined ? 'code_unknown' : row.used_at !== null ? 'code_used' : Date.parse(row.expires_at) <= Date.parse(now) ? 'code_expired' : null;
      if (refusal !== null || row === undefined) {
        await this.journal(c, { kind: 'enrolment.refused', siteId: row?.site_id ?? null, mode: row?.mode ?? null, codeHint: hint, reason: refusal, actor });
        return { ok: false, refusal: refusal ?? 'code_unknown' };
      }
      const site = (await c.query<{ settings_json: string }>('SELECT settings_json FROM enrolment_sites WHERE site_id = $1 FOR UPDATE', [row.site_id])).rows[0];
      const terminalId = await nextTerminalId(c, row.site_id, row.mode);
      // The one write that decides who got the code: a second user waits for this row, then finds used_at set.
      const claimed = await c.query('UPDATE enrolment_codes SET used_at = $1, terminal_id = $2 WHERE code_hash = $3 AND used_at IS NULL', [now, terminalId, hash]);
      if (claimed.rowCount !== 1) {
        await this.journal(c, { kind: 'enrolment.refused', siteId: row.site_id, mode: row.mode, codeHint: hint, reason: 'code_used', actor });
        return { ok: false, refusal: 'code_used' };
      }
      const secret = randomBytes(32).toString('hex');
      await c.query(
        'INSERT INTO enrolled_terminals (terminal_id, secret, site_id, mode, enrolled_at, code_hash, hostname) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [terminalId, secret, row.site_id, row.mode, now, hash, meta.hostname ?? null],
      );
      await this.journal(c, { kind: 'terminal.enrolled', siteId: row.site_id, mode: row.mode, codeHint: hint, terminalId, actor });
      return {
        ok: true,
        reply: { terminalId, secret, mode: row.mode, siteId: row.site_id, site: SiteSettingsSchema.parse(JSON.parse(site?.settings_json ?? '{}')), enrolledAt: now },
      };
    });
  }

  async journalEntries(): Promise<EnrolmentJournalEntry[]> {
    const r = await this.pool.query<{ seq: string; at: string; kind: EnrolmentJournalEntry['kind']; site_id: string | null; mode: string | null; code_hint: string | null; terminal_id: string | null; reason: string | null; actor: string | null }>(
      'SELECT * FROM enrolment_journal ORDER BY seq',
    );
    return r.rows.map((e) => ({ seq: Number(e.seq), at: e.at, kind: e.kind, siteId: e.site_id, mode: e.mode, codeHint: e.code_hint, terminalId: e.terminal_id, reason: e.reason, actor: e.actor }));
  }

  private async journal(c: Queryable, e: JournalEntry): Promise<void> {
    await c.query('INSERT INTO enrolment_journal (at, kind, site_id, mode, code_hint, terminal_id, reason, actor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
      this.nowIso(), e.kind, e.siteId ?? null, e.mode ?? null, e.codeHint ?? null, e.terminalId ?? null, e.reason ?? null, e.actor ?? null,
    ]);
  }

  private inTransaction<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }
}

/** As EnrolmentDesk: T-<site>-C01 for counters, T-<site>-K01 for kiosks, numbered per site and mode (call under the site's lock). */
async function nextTerminalId(c: pg.PoolClient, siteId: string, mode: 'counter' | 'kiosk'): Promise<string> {
  const prefix = `T-${siteId}-${mode === 'kiosk' ? 'K' : 'C'}`;
  const taken = Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM enrolled_terminals WHERE terminal_id LIKE $1 || '%'", [prefix])).rows[0]?.n ?? 0);
  for (let n = taken + 1; ; n++) {
    const id = `${prefix}${String(n).padStart(2, '0')}`;
    if ((await c.query('SELECT 1 FROM enrolled_terminals WHERE terminal_id = $1', [id])).rowCount === 0) return id;
  }
}
