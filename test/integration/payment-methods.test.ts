/**
 * Every payment method for bills against the real core, cache, backend and gateway simulator: cash,
 * the customer's payment code (付款码) charged through the gateway — authorised; queried when the
 * answer does not come; reversed when it never confirms or when the payment cannot be written —
 * a bank card recorded with its POS reference number, and a split tender. Never charged twice,
 * never charged without a payment.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, signedIn, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeEach(async () => {
  // Short gateway waits: a 'timeout' order hangs 35 s at the simulator, the terminal gives up on the
  // pay request after 400 ms and queries every 100 ms for 2.5 s after the charge began.
  stack = await startStack({ payments: { gatewayTimeoutMs: 400, codeQueryIntervalMs: 100, codeConfirmWithinMs: 2500, invoices: false } });
});
afterEach(async () => stack.dispose());

const ACCOUNT = '3100000001';
const CODE = '134567890123456789';

function gatewayOrders(): { out_trade_no: string; status: string; amount_fen: number }[] {
  return stack.backend.db.prepare('SELECT out_trade_no, status, amount_fen FROM gateway_orders ORDER BY created_at').all() as {
    out_trade_no: string;
    status: string;
    amount_fen: number;
  }[];
}
function count(sql: string): number {
  return (stack.core.db.prepare(sql).get() as { n: number }).n;
}
async function waitFor<T>(f: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('payment methods', () => {
  it('a payment code charged at once becomes the payment, with the gateway trade number; a retry charges nothing more', async () => {
    const s = await signedIn(stack.core);
    const requestId = crypto.randomUUID();
    const paid = await call(stack.core, 'payment.create', { requestId, accountNo: ACCOUNT, method: 'code', amount: '50.00', authCode: CODE }, s);
    expect(paid).toMatchObject({ method: 'code', amountFen: 5000, tenderedFen: null, changeFen: 0 });
    expect(paid.tenders).toEqual([{ method: 'code', amountFen: 5000, tenderedFen: null, changeFen: 0, externalRef: expect.stringMatching(/^GW\d{18}$/) }]);
    expect(gatewayOrders()).toEqual([{ out_trade_no: `C${paid.paymentId.replace(/-/g, '')}`, status: 'success', amount_fen: 5000 }]);

    const again = await call(stack.core, 'payment.create', { requestId, accountNo: ACCOUNT, method: 'code', amount: '50.00', authCode: CODE }, s);
    expect(again.paymentId).toBe(paid.paymentId);
    expect(gatewayOrders()).toHaveLength(1);
    expect(count('SELECT COUNT(*) AS n FROM payments')).toBe(1);
    await stack.core.syncNow();
    const ledger = stack.backend.db.prepare("SELECT payload_json FROM events WHERE type = 'payment.created'").all() as { payload_json: string }[];
    expect(ledger.map((r) => JSON.parse(r.payload_json) as { method: string; externalRef: string })).toEqual([
      expect.objectContaining({ method: 'code', externalRef: paid.tenders?.[0]?.externalRef }),
    ]);
  });

  it('gateway timeout, then the customer confirms: the order is queried until it succeeds, and paid once', async () => {
    const s = await signedIn(stack.core);
    stack.backend.setKnobs({ gatewayOutcome: 'timeout' });
    const paying = call(stack.core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'code', amount: '30.00', authCode: CODE }, s);
    const order = await waitFor(() => gatewayOrders()[0]);
    expect(order.status).toBe('pending');
    // The pay request timed out at the terminal; the customer confirms on the phone a moment later.
    await waitFor(() => (count("SELECT COUNT(*) AS n FROM journal WHERE type = 'code_charge.unknown'") > 0 ? true : undefined));
    stack.backend.settleGatewayOrder(order.out_trade_no, 'success');
    const paid = await paying;
    expect(paid).toMatchObject({ method: 'code', amountFen: 3000 });
    expect(gatewayOrders()).toEqual([expect.objectContaining({ status: 'success' })]);
    expect(stack.core.db.prepare('SELECT state FROM code_charges').all()).toEqual([{ state: 'committed' }]);
    const types = (stack.core.db.prepare('SELECT type FROM journal WHERE ref = ? ORDER BY seq').all(order.out_trade_no) as { type: string }[]).map((r) => r.type);
    expect(types).toEqual(['code_charge.requested', 'code_charge.sent', 'code_charge.unknown', 'code_charge.paid']);
  });

  it('gateway timeout and no confirmation: the order is reversed, nothing is written, the customer is not charged', async () => {
    const s = await signedIn(stack.core);
    stack.backend.setKnobs({ gatewayOutcome: 'timeout' });
    const r = await stack.core.dispatch('payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'code', amount: '30.00', authCode: CODE }, s);
    expect(r).toMatchObject({ ok: false, error: { code: 'payment.code_not_charged' } });
    expect(gatewayOrders()).toEqual([expect.objectContaining({ status: 'reversed' })]);
    expect(count('SELECT COUNT(*) AS n FROM payments')).toBe(0);
    expect(count('SELECT COUNT(*) AS n FROM outbox')).toBe(0);
    expect(stack.core.db.prepare('SELECT state FROM code_charges').all()).toEqual([{ state: 'reversed' }]);
    // The customer confirming after the reversal charges nothing.
    stack.backend.settleGatewayOrder(gatewayOrders()[0]!.out_trade_no, 'success');
    expect(gatewayOrders()).toEqual([expect.objectContaining({ status: 'reversed' })]);
  });

  it('charged, but the payment cannot be written: the charge is reversed (refunded), never kept without a payment', async () => {
    const s = await signedIn(stack.core);
    await call(stack.core, 'account.lookup', { accountNo: ACCOUNT }, s);
    stack.core.db.exec("CREATE TEMP TRIGGER refuse_payment BEFORE INSERT ON payments BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
    const r = await stack.core.dispatch('payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'code', amount: '12.00', authCode: CODE }, s);
    expect(r).toMatchObject({ ok: false, error: { code: 'payment.code_not_charged' } });
    expect(gatewayOrders()).toEqual([expect.objectContaining({ status: 'reversed', amount_fen: 1200 })]);
    expect(stack.core.db.prepare('SELECT state FROM code_charges').all()).toEqual([{ state: 'reversed' }]);
    expect(count('SELECT COUNT(*) AS n FROM journal WHERE type = \'code_charge.commit_failed\'')).toBe(1);
  });

  it('a lost answer after the gateway charged: the query finds it, and it is paid once', async () => {
    const s = await signedIn(stack.core);
    stack.backend.setKnobs({ gatewayOutcome: 'unknown' });
    const paid = await call(stack.core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'code', amount: '20.00', authCode: CODE }, s);
    expect(paid.method).toBe('code');
    expect(gatewayOrders()).toEqual([expect.objectContaining({ status: 'success' })]);
  });

  it('a declined code writes nothing; an invalid one never reaches the gateway', async () => {
    const s = await signedIn(stack.core);
    stack.backend.setKnobs({ gatewayOutcome: 'declined' });
    const declined = await stack.core.dispatch('payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'code', amount: '20.00', authCode: CODE }, s);
    expect(declined).toMatchObject({ ok: false, error: { code: 'payment.code_declined' } });
    const invalid = await stack.core.dispatch('payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'code', amount: '20.00', authCode: '3100000001' }, s);
    expect(invalid).toMatchObject({ ok: false, error: { code: 'payment.code_invalid' } });
    expect(gatewayOrders()).toHaveLength(1);
    expect(count('SELECT COUNT(*) AS n FROM payments')).toBe(0);
  });

  it('a charge left by a crash is resolved at start: charged at the gateway → written as its payment', async () => {
    const s = await signedIn(stack.core);
    stack.backend.setKnobs({ gatewayOutcome: 'timeout' });
    const paying = stack.core.dispatch('payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'code', amount: '8.00', authCode: CODE }, s);
    const order = await waitFor(() => gatewayOrders()[0]);
    // The customer confirms; the terminal "crashes" before it hears of it (the charge stays requested).
    stack.core.db.exec("CREATE TEMP TRIGGER freeze BEFORE UPDATE ON code_charges BEGIN SELECT RAISE(ABORT, 'crash'); END");
    stack.backend.settleGatewayOrder(order.out_trade_no, 'success');
    await paying;
    expect(stack.core.db.prepare('SELECT state FROM code_charges').all()).toEqual([{ state: 'requested' }]);
    const core = await stack.restartCore();
    await waitFor(() => ((core.db.prepare("SELECT state FROM code_charges").get() as { state: string }).state === 'committed' ? true : undefined));
    const p = core.db.prepare('SELECT method, amount_fen FROM payments').all();
    expect(p).toEqual([{ method: 'code', amount_fen: 800 }]);
    expect(gatewayOrders()).toEqual([expect.objectContaining({ status: 'success' })]);
  });

  it('a bank card is recorded with its POS reference number, once', async () => {
    const s = await signedIn(stack.core);
    const paid = await call(stack.core, 'payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'card', amount: '40.00', cardReference: '240613001234' }, s);
    expect(paid.tenders).toEqual([{ method: 'card', amountFen: 4000, tenderedFen: null, changeFen: 0, externalRef: '240613001234' }]);
    const again = await stack.core.dispatch('payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'card', amount: '10.00', cardReference: '240613001234' }, s);
    expect(again).toMatchObject({ ok: false, error: { code: 'payment.card_reference_used' } });
    const bad = await stack.core.dispatch('payment.create', { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'card', amount: '10.00', cardReference: 'x' }, s);
    expect(bad).toMatchObject({ ok: false, error: { code: 'payment.card_reference_invalid' } });
    expect(count('SELECT COUNT(*) AS n FROM payments')).toBe(1);
  });

  it('split tender: part cash (with change), part payment code — one payment, one settlement, both tenders on the wire', async () => {
    const s = await signedIn(stack.core);
    const paid = await call(
      stack.core,
      'payment.create',
      {
        requestId: crypto.randomUUID(),
        accountNo: ACCOUNT,
        method: 'split',
        amount: '100.00',
        tenders: [
          { method: 'cash', amount: '60.00', tendered: '70.00' },
          { method: 'code', amount: '40.00', authCode: CODE },
        ],
      },
      s,
    );
    expect(paid).toMatchObject({ method: 'split', amountFen: 10000, tenderedFen: 7000, changeFen: 1000 });
    expect(paid.tenders?.map((x) => [x.method, x.amountFen])).toEqual([
      ['cash', 6000],
      ['code', 4000],
    ]);
    expect(gatewayOrders()).toEqual([expect.objectContaining({ status: 'success', amount_fen: 4000 })]);
    // The event as journaled (the outbox may have been pushed already) and as the backend took it.
    const event = JSON.parse((stack.core.db.prepare("SELECT payload FROM journal WHERE type = 'payment.created'").get() as { payload: string }).payload) as { tenders: unknown };
    expect(event.tenders).toEqual([
      { method: 'cash', fen: 6000 },
      { method: 'code', fen: 4000, externalRef: paid.tenders?.[1]?.externalRef },
    ]);
    const mismatch = await stack.core.dispatch(
      'payment.create',
      { requestId: crypto.randomUUID(), accountNo: ACCOUNT, method: 'split', amount: '100.00', tenders: [{ method: 'cash', amount: '60.00' }, { method: 'code', amount: '30.00', authCode: CODE }] },
      s,
    );
    expect(mismatch).toMatchObject({ ok: false, error: { code: 'payment.tenders_mismatch' } });
    await stack.core.syncNow();
    expect(stack.backend.db.prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'payment.created'").get()).toEqual({ n: 1 });
  });
});
