/**
 * The help desk: what a token a customer brings back is (meter, class, TID, amount) and what this
 * terminal knows of it (its vend, whether it was delivered, whether a newer TID exists).
 */
import { AppError } from '../../contract/index.js';
import type { TokenExplainView } from '../../contract/vending.js';
import type { MeterSnapshot } from '../../wire/backend-wire.js';
import { explainToken, formatTokenGroups, normalizeTokenInput } from '../../vending/sts/index.js';
import { withKeyChanges } from './meter-key-changes.js';
import type { VendContext } from './vend-context.js';
import { FORMER_BASE_TID_MARGIN, newestTid, type VendRow } from './vend-store.js';

export async function explainVendToken(ctx: VendContext, p: { token: string; accountNo?: string | undefined; meterNo?: string | undefined }): Promise<TokenExplainView> {
  const local = ctx.deps.localModule;
  if (!local) throw new AppError('vending.secure_module_unavailable', { mode: 'local' });
  const digits = normalizeTokenInput(p.token);
  let accountNo = p.accountNo;
  if (accountNo === undefined) {
    const owner = ctx.deps.db.prepare('SELECT account_no FROM meters WHERE meter_no = ?').get(p.meterNo) as { account_no: string } | undefined;
    if (!owner) {
      const found = await ctx.deps.accounts.search(p.meterNo ?? '');
      accountNo = found.items[0]?.accountNo;
    } else accountNo = owner.account_no;
    if (accountNo === undefined) throw new AppError('vending.meter_not_found', { meterNo: p.meterNo ?? '' });
  }
  await ctx.deps.accounts.lookup(accountNo);
  const account = withKeyChanges(ctx.deps.db, ctx.deps.accounts.cached(accountNo));
  const meters = account.meters.filter((m) => m.sts && (p.meterNo === undefined || m.meterNo === p.meterNo));
  if (meters.length === 0) throw new AppError('vending.meter_not_found', { meterNo: p.meterNo ?? accountNo });
  const usedTids = (meterNo: string) =>
    (ctx.deps.db.prepare("SELECT tid FROM vends WHERE meter_no = ? AND token IS NOT NULL AND token != ?").all(meterNo, digits) as { tid: number }[]).map((r) => r.tid);
  const x = explainToken(
    digits,
    meters.map((m) => ({
      meterNo: m.meterNo,
      dk: local.decoderKey(m.sts as NonNullable<MeterSnapshot['sts']>),
      baseDate: (m.sts as NonNullable<MeterSnapshot['sts']>).baseDate,
      usedTids: usedTids(m.meterNo),
    })),
  );
  const vend = x.meterNo === null ? undefined : (ctx.deps.db.prepare('SELECT vend_id, created_at, state, delivery, operator_id FROM vends WHERE meter_no = ? AND token = ?').get(x.meterNo, digits) as
    | { vend_id: string; created_at: string; state: VendRow['state']; delivery: VendRow['delivery']; operator_id: string }
    | undefined);
  const at = (vendId: string, type: string) =>
    (ctx.deps.db.prepare('SELECT at FROM journal WHERE ref = ? AND type = ? ORDER BY seq LIMIT 1').get(vendId, type) as { at: string } | undefined)?.at ?? null;
  const tokenVend = vend
    ? {
        vendId: vend.vend_id,
        state: vend.state,
        delivery: vend.delivery,
        issuedAt: at(vend.vend_id, 'vend.token_issued'),
        deliveredAt: at(vend.vend_id, 'vend.delivered'),
        reversedAt: at(vend.vend_id, 'vend.reversed'),
        terminalId: ctx.deps.terminalId,
        operatorId: vend.operator_id,
      }
    : null;
  // Only TIDs of the token's own base date compare (a rolled-over meter's old TIDs are far above).
  const newest = x.meterNo === null ? null : newestTid(ctx.deps.db, x.meterNo, x.tid === undefined ? undefined : x.tid + FORMER_BASE_TID_MARGIN);
  return {
    digits,
    groups: formatTokenGroups(digits),
    meterNo: x.meterNo,
    accountNo: account.accountNo,
    tokenClass: x.tokenClass,
    subclass: x.subclass,
    kind: x.kind,
    tid: x.tid ?? null,
    tidDate: x.tidDate ?? null,
    baseDate: x.baseDate ?? null,
    amountTenths: x.amountTenths ?? null,
    tidAlreadyUsed: x.tidAlreadyUsed,
    vendId: vend?.vend_id ?? null,
    issuedAt: vend?.created_at ?? null,
    tokenVend,
    alreadyDelivered: vend?.state === 'delivered',
    newerTidExists: x.tid !== undefined && newest !== null && newest > x.tid,
    newestTid: newest,
  };
}
