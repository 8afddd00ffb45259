/**
 * Management tokens for technicians and supervisors (`token.manage`): the key change pair (e.g. a
 * 1993 meter moved to base date 2014 with a new key revision — the TID rollover), clear credit,
 * clear tamper, set maximum power. Issued by this terminal's software module; each issue is ONE
 * commit: the row (sts_management_tokens, migration v4), a journal entry with the digits, and an
 * outbox event without them. Register tokens take their TID from the same per-meter sequence as
 * credit tokens (nextTid), so a meter never sees a TID twice.
 *
 * A key change also takes effect on this terminal in that same commit: the cached meter gets the
 * new parameters (journaled as `meter.sts_changed`), so the next vend here uses the new key and
 * base date; the outbox event (with `prev` and `next`) makes the backend record them for every
 * terminal. Until the backend has them, vends of the meter are issued locally (meter-key-changes.ts).
 */
import { randomInt } from 'node:crypto';
import { AppError, type OperatorView } from '../../contract/index.js';
import type { ManagementTokenView, TokenManageView } from '../../contract/vending.js';
import type { Db } from '../../store/db.js';
import { appendJournal } from '../../store/journal.js';
import { enqueueOutbox } from '../../store/outbox.js';
import { uuidv7 } from '../../store/ids.js';
import type { StsParams } from '../../wire/backend-wire.js';
import type { LocalSecureModule } from '../../vending/secure-module/index.js';
import { formatTokenGroups, tidFromDate } from '../../vending/sts/index.js';
import type { AccountService } from '../accounts.js';
import type { Clock } from '../clock.js';
import { cacheMeterSts, withKeyChanges, type KeyChangeParams } from './meter-key-changes.js';
import { nextTid, stepEventId } from './vend-store.js';

export interface ManageInput {
  readonly requestId: string;
  readonly meterNo: string;
  readonly kind: TokenManageView['kind'];
  readonly watts?: number | undefined;
  readonly next?: { sgc?: string | undefined; ti?: string | undefined; krn?: number | undefined; keyType?: number | undefined; baseDate?: StsParams['baseDate'] | undefined } | undefined;
}

export interface ManagementTokenDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly accounts: AccountService;
  readonly localModule: LocalSecureModule | null;
  readonly afterCommit: () => void;
  readonly randomNibble?: () => number;
}

interface Row {
  token_id: string;
  request_id: string;
  account_no: string;
  meter_no: string;
  kind: TokenManageView['kind'];
  tid: number | null;
  tokens_json: string;
  params_json: string;
  operator_id: string;
  created_at: string;
}

export class ManagementTokens {
  constructor(private readonly deps: ManagementTokenDeps) {}

  /** The local secure module these tokens are issued with (the vend service's own instance). */
  get localModule(): LocalSecureModule | null {
    return this.deps.localModule;
  }

  async issue(p: ManageInput, operator: OperatorView): Promise<TokenManageView> {
    const { db } = this.deps;
    const existing = db.prepare('SELECT * FROM sts_management_tokens WHERE request_id = ?').get(p.requestId) as Row | undefined;
    if (existing) {
      if (existing.meter_no !== p.meterNo || existing.kind !== p.kind) throw new AppError('vending.request_conflict');
      return view(existing);
    }
    const local = this.deps.localModule;
    if (!local) throw new AppError('vending.secure_module_unavailable', { mode: 'local' });
    const { accountNo, sts, accountVersion } = await this.meter(p.meterNo);

    const now = this.deps.clock();
    const at = now.toISOString();
    const tokenId = uuidv7(() => now);
    const rnd = this.deps.randomNibble?.() ?? randomInt(16);
    let next: StsParams | null = null;
    let row: Row | undefined;
    db.transaction(() => {
      let tid: number | null = null;
      let tokens: ManagementTokenView[];
      if (p.kind === 'key_change') {
        // A vend created (or paid) under the old key has its TID from the old base date and is
        // issued from the meter's parameters at issue time: finish it (or reverse it) first.
        const pending = db
          .prepare("SELECT vend_id FROM vends WHERE meter_no = ? AND meter_kind = 'sts' AND state IN ('created', 'paid') ORDER BY created_at LIMIT 1")
          .get(p.meterNo) as { vend_id: string } | undefined;
        if (pending) throw new AppError('vending.key_change_vend_pending', { meterNo: p.meterNo, vendId: pending.vend_id });
        next = { ...sts, ...definedOnly(p.next ?? {}) };
        const pair = local.keyChange(sts, next);
        tokens = [
          { order: 1, digits: pair.first.digits, groups: formatTokenGroups(pair.first.digits), subclass: pair.first.subclass, kind: 'key_change_1st' },
          { order: 2, digits: pair.second.digits, groups: formatTokenGroups(pair.second.digits), subclass: pair.second.subclass, kind: 'key_change_2nd' },
        ];
      } else {
        // Refused (vending.tid_out_of_range) for a 1993 meter past the rollover: it needs its key change first.
        tid = nextTid(db, p.meterNo, tidFromDate(now, sts.baseDate));
        const t = local.managementToken(sts, { kind: p.kind, tid, rnd, ...(p.watts !== undefined ? { watts: p.watts } : {}) });
        tokens = [{ order: 1, digits: t.digits, groups: formatTokenGroups(t.digits), subclass: t.subclass, kind: p.kind }];
      }
      const params: { watts: number | null; next: StsParams | null; prev?: KeyChangeParams['prev']; accountVersion?: number } =
        next === null ? { watts: p.watts ?? null, next } : { watts: null, next, prev: sts, accountVersion };
      db.prepare(
        `INSERT INTO sts_management_tokens (token_id, request_id, account_no, meter_no, kind, tid, tokens_json, params_json, operator_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(tokenId, p.requestId, accountNo, p.meterNo, p.kind, tid, JSON.stringify(tokens), JSON.stringify(params), operator.operatorId, at);
      const payload = {
        tokenId,
        accountNo,
        meterNo: p.meterNo,
        kind: p.kind,
        tid,
        watts: p.watts ?? null,
        next,
        ...(next === null ? {} : { prev: sts }),
        operatorId: operator.operatorId,
      };
      // The digits are journaled (tamper-evident), never sent in the outbox event.
      appendJournal(db, { type: 'token.management_issued', ref: tokenId, actor: operator.operatorId, at, payload: { ...payload, digits: tokens.map((t) => t.digits) } });
      enqueueOutbox(db, { eventId: stepEventId(tokenId, 'management_issued'), type: 'token.management_issued', occurredAt: at, payload });
      if (next !== null) {
        // The parameters are not key material (the decoder key is derived from them and the vending key).
        cacheMeterSts(db, p.meterNo, next);
        appendJournal(db, { type: 'meter.sts_changed', ref: p.meterNo, actor: operator.operatorId, at, payload: { meterNo: p.meterNo, accountNo, tokenId, from: sts, to: next } });
      }
      row = db.prepare('SELECT * FROM sts_management_tokens WHERE token_id = ?').get(tokenId) as Row;
    }).immediate();
    this.deps.afterCommit();
    if (!row) throw new Error('management token row missing after commit');
    return view(row);
  }

  private async meter(meterNo: string): Promise<{ accountNo: string; sts: StsParams; accountVersion: number }> {
    const owner = this.deps.db.prepare('SELECT account_no FROM meters WHERE meter_no = ?').get(meterNo) as { account_no: string } | undefined;
    const accountNo = owner?.account_no ?? (await this.deps.accounts.search(meterNo)).items[0]?.accountNo;
    if (accountNo === undefined) throw new AppError('vending.meter_not_found', { meterNo });
    await this.deps.accounts.lookup(accountNo);
    // The meter's current key as this terminal knows it: a key change issued here that the
    // backend has not applied yet counts (a second change must be issued under it).
    const account = withKeyChanges(this.deps.db, this.deps.accounts.cached(accountNo));
    const meter = account.meters.find((m) => m.meterNo === meterNo);
    if (!meter) throw new AppError('vending.meter_not_found', { meterNo });
    if (meter.kind !== 'sts' || !meter.sts) throw new AppError('vending.meter_not_vendable', { meterNo });
    return { accountNo, sts: meter.sts, accountVersion: account.version };
  }
}

function definedOnly<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

function view(r: Row): TokenManageView {
  const params = JSON.parse(r.params_json) as { next: StsParams | null };
  const n = params.next;
  return {
    tokenId: r.token_id,
    requestId: r.request_id,
    accountNo: r.account_no,
    meterNo: r.meter_no,
    kind: r.kind,
    tid: r.tid,
    tokens: JSON.parse(r.tokens_json) as ManagementTokenView[],
    next: n ? { sgc: n.sgc, ti: n.ti, krn: n.krn, keyType: n.keyType, baseDate: n.baseDate } : null,
    operatorId: r.operator_id,
    createdAt: r.created_at,
  };
}
