/**
 * The issue step: an STS token from the stored inputs (online, with TID reassignment when another
 * terminal took the minute; local fallback within the offline limit), or a card vend's fixed
 * purchase record. The same inputs always give the same token, so issuing again is harmless.
 */
import { AppError } from '../../contract/index.js';
import { fenToYuanText } from '../../domain/money.js';
import { appendJournal } from '../../store/journal.js';
import type { IssuedCredit } from '../../vending/secure-module/index.js';
import { crashPoint } from '../../vending/vend/crash-point.js';
import { withKeyChanges } from './meter-key-changes.js';
import type { VendContext } from './vend-context.js';
import { nextTid, offlineExposureFen, storedSplit, type VendRow } from './vend-store.js';

export async function issueToken(ctx: VendContext, row: VendRow): Promise<void> {
  const account = withKeyChanges(ctx.deps.db, ctx.deps.accounts.cached(row.account_no));
  const meter = account.meters.find((m) => m.meterNo === row.meter_no);
  if (!meter?.sts) throw new AppError('vending.meter_not_found', { meterNo: row.meter_no });
  let req = { vendId: row.vend_id, meterNo: row.meter_no, sts: meter.sts, amountTenths: row.amount_tenths, tid: row.tid, rnd: row.rnd };
  let issued: IssuedCredit;
  let offline = row.offline === 1;
  const local = ctx.deps.localModule;
  if (row.issuer === 'local') {
    if (!local) throw new AppError('vending.secure_module_unavailable', { mode: 'local' });
    issued = await local.issueCredit(req);
  } else {
    for (let attempt = 1; ; attempt++) {
      try {
        issued = await ctx.deps.secureModule.issueCredit(req);
        break;
      } catch (e) {
        if (isTidReused(e) && attempt < MAX_TID_REASSIGNMENTS) {
          req = { ...req, tid: reassignTid(ctx, row.vend_id, row.meter_no, req.tid) };
          continue;
        }
        // The vend is paid: deliver credit. The same stored inputs give the byte-identical token locally.
        if (!(e instanceof AppError && e.code === 'vending.secure_module_unavailable') || !local || !ctx.deps.localFallback) throw e;
        // The limit was not checked before payment (the backend was reachable then): check it
        // now. Over it, the vend stays paid and is issued online later; never a silent over-limit issue.
        checkFallbackLimit(ctx, row);
        issued = await local.issueCredit(req);
        offline = true;
        break;
      }
    }
  }
  crashPoint('vend.issue_answered');
  if (issued.tid !== req.tid || issued.rnd !== row.rnd) throw new Error(`secure module answered another TID/RND for vend ${row.vend_id}`);
  const payload = {
    vendId: row.vend_id,
    accountNo: row.account_no,
    meterNo: row.meter_no,
    tid: req.tid,
    amountTenths: row.amount_tenths,
    deliveredTenths: issued.deliveredTenths,
    amountFen: row.amount_fen,
    issuer: issued.issuer,
    offline,
  };
  // The token digits are customer credit: journaled (tamper-evident) but not sent in the outbox event.
  ctx.transition(row, 'token_issued', 'vend.token_issued', 'system', { ...payload, token: issued.digits }, {
    token: issued.digits,
    delivered_tenths: issued.deliveredTenths,
    offline: offline ? 1 : 0,
  }, undefined, payload);
  crashPoint('vend.token_issued');
}

/**
 * Another terminal already used this TID for the meter (the backend refused it) and no token
 * exists for this vend, so moving it to the next free minute cannot create a second credit.
 */
function reassignTid(ctx: VendContext, vendId: string, meterNo: string, usedTid: number): number {
  const { db } = ctx.deps;
  let tid = usedTid;
  db.transaction(() => {
    tid = nextTid(db, meterNo, usedTid + 1);
    const info = db.prepare('UPDATE vends SET tid = ? WHERE vend_id = ? AND token IS NULL').run(tid, vendId);
    if (info.changes !== 1) throw new Error(`vend ${vendId} already has a token; its TID must not change`);
    appendJournal(db, { type: 'vend.tid_reassigned', ref: vendId, actor: 'system', at: ctx.deps.clock().toISOString(), payload: { vendId, meterNo, from: usedTid, to: tid } });
  }).immediate();
  return tid;
}

function checkFallbackLimit(ctx: VendContext, row: VendRow): void {
  const available = ctx.deps.offlineCreditLimitFen - offlineExposureFen(ctx.deps.db);
  if (row.amount_fen <= available) return;
  const a = Math.max(0, available);
  ctx.journalOnly(row.vend_id, 'vend.offline_limit_held', 'system', { amountFen: row.amount_fen, availableFen: a });
  throw new AppError('vending.offline_limit_paid', { vendId: row.vend_id, availableFen: a, availableYuan: fenToYuanText(a) });
}

/**
 * Credit issued, for a card: the purchase record (money for electricity and its energy) is fixed
 * in the vend row. Nothing external is asked, so this step is a pure commit.
 */
export function issueCard(ctx: VendContext, row: VendRow): void {
  const split = storedSplit(row).split;
  const counterBefore = row.card_counter_before ?? 0;
  const payload = {
    vendId: row.vend_id,
    accountNo: row.account_no,
    meterNo: row.meter_no,
    meterKind: 'card',
    cardSerial: row.card_serial,
    counterBefore,
    counterAfter: counterBefore + 1,
    cardAmountFen: split.energyFen,
    energyCkwh: split.energyCkwh,
    amountFen: row.amount_fen,
    issuer: row.issuer,
    offline: row.offline === 1,
  };
  ctx.transition(row, 'token_issued', 'vend.token_issued', 'system', payload, {
    card_amount_fen: split.energyFen,
    card_energy_ckwh: split.energyCkwh,
  });
  crashPoint('vend.token_issued');
}

/** Other terminals vending the same meter in the same minutes: a few steps forward always finds a free TID. */
const MAX_TID_REASSIGNMENTS = 10;

function isTidReused(e: unknown): boolean {
  return e instanceof AppError && e.code === 'vending.issue_rejected' && e.details.reason === 'tid_reused';
}
