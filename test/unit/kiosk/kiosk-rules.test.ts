/** The kiosk's pure rules (main/domain/kiosk/kiosk-rules.ts): masking, the bill choice, what is offered. */
import { describe, expect, it } from 'vitest';
import { chooseBills, kioskOffer, maskAddress, maskName, maskPhone, type KioskConditions } from '../../../main/domain/kiosk/kiosk-rules.js';

describe('masking', () => {
  it('names: first and last character kept (CJK), initials for Latin names', () => {
    expect(maskName('雷洋子')).toBe('雷*子');
    expect(maskName('钱飞')).toBe('钱*');
    expect(maskName('林记大药房')).toBe('林***房');
    expect(maskName('Lei Yangzi')).toBe('L** Y****');
  });
  it('addresses: a payer sees the district, a holder all but the numbers after the street number', () => {
    const a = '河南省三门峡市湖滨区黄河中路12号3栋2单元501室';
    expect(maskAddress(a, 'payer')).toBe('河南省三门峡市湖滨区****');
    expect(maskAddress(a, 'holder')).toBe('河南省三门峡市湖滨区黄河中路12号*栋*单元***室');
    expect(maskAddress('', 'payer')).toBe('');
  });
  it('phones: 138****5678', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
  });
});

describe('bill choice: a prefix of the settlement order (oldest first)', () => {
  const bills = [
    { billId: 'B-10', period: '2026-10', dueDate: '2026-11-30' },
    { billId: 'B-09', period: '2026-09', dueDate: '2026-10-31' },
    { billId: 'B-12', period: '2025-12', dueDate: '2026-01-31' },
  ];
  it('all → every open bill oldest first; a choice is completed by nothing and refused when it skips an older bill', () => {
    expect(chooseBills(bills, 'all')).toMatchObject({ ok: true, bills: [{ billId: 'B-12' }, { billId: 'B-09' }, { billId: 'B-10' }] });
    expect(chooseBills(bills, ['B-12'])).toMatchObject({ ok: true, bills: [{ billId: 'B-12' }] });
    expect(chooseBills(bills, ['B-09', 'B-12'])).toMatchObject({ ok: true, bills: [{ billId: 'B-12' }, { billId: 'B-09' }] });
    expect(chooseBills(bills, ['B-10'])).toEqual({ ok: false, code: 'kiosk.bills_out_of_order', olderBillId: 'B-12', period: '2025-12' });
    expect(chooseBills(bills, ['B-12', 'B-10'])).toEqual({ ok: false, code: 'kiosk.bills_out_of_order', olderBillId: 'B-09', period: '2026-09' });
    expect(chooseBills(bills, ['B-77'])).toEqual({ ok: false, code: 'kiosk.bill_not_open', billId: 'B-77' });
    expect(chooseBills([], 'all')).toEqual({ ok: false, code: 'account.no_open_bills' });
  });
});

describe('what the kiosk offers, function by function', () => {
  const ok: KioskConditions = {
    gatewayReachable: true,
    backendOnline: true,
    printerReady: true,
    cardWriterReady: true,
    tokenIssuerReady: true,
    offlineAvailableFen: 200_000,
    minimumVendFen: 1000,
  };
  const offer = (c: Partial<KioskConditions>, fault?: string) => {
    const o = kioskOffer({ ...ok, ...c }, fault);
    return [o.payBills, o.buyToken, o.cardTopUp, o.print, o.qr, o.inService];
  };
  it.each([
    ['all well', {}, [null, null, null, null, null, true]],
    ['no paper: print only', { printerReady: false }, [null, null, null, 'printer.paper_out', null, true]],
    ['card writer fault: card top-up only', { cardWriterReady: false }, [null, null, 'vending.card_writer_unavailable', null, null, true]],
    ['backend offline within the offline credit', { backendOnline: false }, [null, null, null, null, null, true]],
    ['backend offline, offline credit used up: bills only', { backendOnline: false, offlineAvailableFen: 500 }, [null, 'vending.offline_limit_exceeded', 'vending.offline_limit_exceeded', null, null, true]],
    ['no token issuer', { tokenIssuerReady: false }, [null, 'vending.secure_module_unavailable', null, null, null, true]],
    ['gateway down: out of service', { gatewayReachable: false }, ['kiosk.gateway_unavailable', 'kiosk.gateway_unavailable', 'kiosk.gateway_unavailable', null, 'kiosk.gateway_unavailable', false]],
  ] as const)('%s', (_name, c, expected) => {
    expect(offer(c, 'printer.paper_out')).toEqual(expected);
  });
});
