/**
 * The vend receipt carries what the screen shows after the split: "X kWh left in tier N" (or the
 * top tier), from split.tierAfter, in both languages.
 */
import { describe, expect, it } from 'vitest';
import type { VendView } from '../../../../main/contract/vending.js';
import { loadLocale, translator, type Locale } from '../../../../main/i18n/locales.js';
import { vendReceipt } from '../../../../main/services/vending/vend-receipt.js';

const SPLIT: VendView['split'] = {
  amountFen: 10000,
  tariffId: 'RES-TIER-M',
  tariffNameKey: 'tariff.names.res_tier_m',
  channelFeeFen: 0,
  debtBeforeFen: 0,
  arrearsFen: 0,
  debtAfterFen: 0,
  fixedCharges: [],
  fixedChargesFen: 0,
  energyFen: 9996,
  energyCkwh: 14280,
  blocks: [{ tier: 1, centifenPerKwh: 7000, energyCkwh: 14280, fen: 9996 }],
  tierAfter: { tier: 1, tierCount: 3, remainingInTierCkwh: 3720 },
  roundingRuleKey: 'tariff.roundingRules.energy_round_down',
  remainderFen: 4,
};

function view(split: VendView['split']): VendView {
  return {
    vendId: '01900000-0000-7000-8000-000000000001',
    requestId: 'r',
    accountNo: '3100000003',
    meterNo: '600727000000000017',
    meterKind: 'sts',
    card: null,
    state: 'token_issued',
    method: 'cash',
    amountFen: 10000,
    tenderedFen: null,
    changeFen: 0,
    externalRef: null,
    split,
    issuer: 'online',
    offline: false,
    tid: 5000000,
    token: '12345678901234567890',
    tokenGroups: '1234 5678 9012 3456 7890',
    deliveredTenths: 1428,
    delivery: null,
    reprints: 0,
    deliveryAttempted: true,
    operatorId: 'C001',
    approvedBy: null,
    createdAt: '2026-11-27T02:00:00.000Z',
    updatedAt: '2026-11-27T02:00:00.000Z',
    deliveryError: null,
  };
}

function text(v: VendView, locale: Locale): string {
  const r = vendReceipt(v, {
    t: translator(loadLocale(locale)),
    header: 'Hall',
    hotline: '95598',
    terminalId: 'T-HALL-01',
    timeZone: 'Asia/Shanghai',
    operatorName: 'Clerk',
    accountName: 'Name',
    reprint: false,
  });
  return r.lines.map((l) => ('text' in l ? l.text : 'left' in l ? `${l.left} ${l.right}` : '')).join('\n');
}

describe('vend receipt: the tier position after the purchase', () => {
  it('says how much is left in the tier, as the screen does', () => {
    expect(text(view(SPLIT), 'en')).toContain('37.2 kWh left in tier 1');
    expect(text(view(SPLIT), 'zh-CN')).toContain('第1档还剩 37.2 度');
  });

  it('names the top tier when nothing is left to count', () => {
    const top = { ...SPLIT, tierAfter: { tier: 3, tierCount: 3, remainingInTierCkwh: null } };
    expect(text(view(top), 'en')).toContain('Now in tier 3 (top tier)');
    expect(text(view(top), 'zh-CN')).toContain('当前在第3档（最高档）');
  });

  it('a flat tariff (one tier) has no tier line', () => {
    const flat = { ...SPLIT, tierAfter: { tier: 1, tierCount: 1, remainingInTierCkwh: null } };
    expect(text(view(flat), 'en')).not.toContain('tier 1');
  });
});
