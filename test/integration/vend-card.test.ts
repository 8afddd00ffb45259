/**
 * Card top-ups (本地费控) end to end: core + reference backend + ESC/POS printer simulator + the
 * simulated HID card reader with simulated GridDesk cards, and a SimulatedMeter that loads what
 * the terminal wrote. Every card byte goes through the real framed HID protocol and card format.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RpcResponse, VendCardCheckView, VendView } from '../../main/contract/index.js';
import type { Session } from '../../main/services/dispatch.js';
import { DEMO_CARD_MASTER_KEY } from '../../main/compose/devices.js';
import { journalEntries, verifyJournal } from '../../main/store/journal.js';
import { issueGridDeskCard } from '../../kiosk-drivers/card/sim/issue-card.js';
import type { SimulatedCard } from '../../kiosk-drivers/card/sim/simulated-card.js';
import { SimulatedMeter } from '../../kiosk-drivers/card/sim/simulated-meter.js';
import { call, signedIn, startStack, type Stack } from '../support/stack.js';

const CARD_ACCOUNT = '3100000004';

let stack: Stack;
let clerk: Session;
let supervisor: Session;
let meterNo: string;
let generation: number;
let other: { accountNo: string; meterNo: string; generation: number };
let uidSeq = 0x10;

function ok<T>(r: RpcResponse): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code} ${JSON.stringify(r.error.details)}`);
  return r.result as T;
}

function code(r: RpcResponse): string {
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.result).slice(0, 200)}`);
  return r.error.code;
}

/** A freshly issued card (counter 0, nothing loaded yet) with a new UID. */
function newCard(opts: { accountNo?: string; meterNo?: string; generation?: number } = {}): SimulatedCard {
  uidSeq++;
  return issueGridDeskCard({
    masterKey: DEMO_CARD_MASTER_KEY,
    uid: Uint8Array.of(0x04, 0xc4, 0x00, uidSeq),
    accountNo: opts.accountNo ?? CARD_ACCOUNT,
    meterNo: opts.meterNo ?? meterNo,
    generation: opts.generation ?? generation,
  });
}

function newMeter(): SimulatedMeter {
  return new SimulatedMeter({ masterKey: DEMO_CARD_MASTER_KEY, meterNo, generation, clock: () => Math.floor(stack.clock().getTime() / 1000) });
}

function counts() {
  const db = stack.core.db;
  const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  return { vends: n('SELECT COUNT(*) AS n FROM vends'), journal: n('SELECT COUNT(*) AS n FROM journal'), outbox: n('SELECT COUNT(*) AS n FROM outbox') };
}

function purchase(amount: string, extra: Record<string, unknown> = {}): Promise<RpcResponse> {
  return stack.core.dispatch('vend.purchase', { requestId: randomUUID(), accountNo: CARD_ACCOUNT, method: 'cash', amount, ...extra }, clerk);
}

function steps(vendId: string): string[] {
  return journalEntries(stack.core.db)
    .filter((e) => e.ref === vendId && e.type === 'vend.card_step')
    .map((e) => (e.payload as { step: string }).step);
}

function journalTypes(vendId: string): string[] {
  return journalEntries(stack.core.db)
    .filter((e) => e.ref === vendId)
    .map((e) => e.type);
}

async function until<T>(what: string, f: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Put a card in the reader and wait until the device manager has seen it (its insert event). */
async function insert(card: SimulatedCard): Promise<void> {
  let seen = false;
  const off = stack.core.on('card.inserted', (e) => {
    if (e.cardSerial === Buffer.from(card.uid).toString('hex').toUpperCase()) seen = true;
  });
  stack.hall.cardReader.insert(card);
  await until('card inserted', () => seen);
  off();
}

/** Take the card out (if still in) and wait until the device manager no longer reports a card. */
async function takeOut(): Promise<SimulatedCard | null> {
  const card = stack.hall.cardReader.removeCard();
  await awaitRemovedEvent();
  return card;
}

/** Wait until the device manager's reader state shows no card (after a pull or a mid-write loss). */
async function awaitRemovedEvent(): Promise<void> {
  const present = () => call(stack.core, 'devices.status', {}, supervisor).then((r) => r.devices.find((d) => d.id === 'cardReader')?.cardSerial ?? null);
  const end = Date.now() + 5000;
  while ((await present()) !== null) {
    if (Date.now() > end) throw new Error('reader still reports a card');
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  delete process.env.GRIDDESK_SECURE_MODULE_CONFIG;
  stack = await startStack();
  clerk = await signedIn(stack.core);
  supervisor = await signedIn(stack.core, 'S001', '9999');
  const m = stack.backend.db.prepare("SELECT meter_no, card_generation FROM meters WHERE account_no = ? AND kind = 'card'").get(CARD_ACCOUNT) as {
    meter_no: string;
    card_generation: number;
  };
  meterNo = m.meter_no;
  generation = m.card_generation;
  const o = stack.backend.db
    .prepare("SELECT account_no, meter_no, card_generation FROM meters WHERE kind = 'card' AND account_no != ? ORDER BY account_no LIMIT 1")
    .get(CARD_ACCOUNT) as { account_no: string; meter_no: string; card_generation: number };
  other = { accountNo: o.account_no, meterNo: o.meter_no, generation: o.card_generation };
  const end = Date.now() + 5000;
  for (;;) {
    const r = await call(stack.core, 'devices.status', {}, supervisor);
    if (r.devices.some((d) => d.id === 'cardReader' && d.connection === 'connected')) break;
    if (Date.now() > end) throw new Error('card reader never connected');
    await new Promise((res) => setTimeout(res, 25));
  }
});

afterAll(async () => {
  await stack.dispose();
});

describe('card top-up', () => {
  it('checks the card, takes payment, writes the purchase with read-back, and the meter loads exactly that credit', async () => {
    expect(generation).toBe(2);
    const card = newCard();
    await insert(card);
    const check = ok<VendCardCheckView>(await stack.core.dispatch('vend.cardCheck', { accountNo: CARD_ACCOUNT }, clerk));
    expect(check).toMatchObject({ present: true, writerAvailable: true, cardAccountNo: CARD_ACCOUNT, cardMeterNo: meterNo, cardGeneration: 2, counter: 0, problem: null });

    const preview = ok<{ meterKind: string; energyFen: number; energyCkwh: number }>(await stack.core.dispatch('vend.preview', { accountNo: CARD_ACCOUNT, amount: '100' }, clerk));
    expect(preview.meterKind).toBe('card');

    const jobs = stack.printer.jobs().length;
    const v = ok<VendView>(await purchase('100', { tendered: '100' }));
    expect(v).toMatchObject({ state: 'delivered', delivery: 'card', meterKind: 'card', token: null, deliveryError: null });
    expect(v.card).toMatchObject({ counterBefore: 0, counterAfter: 1, amountFen: preview.energyFen, energyCkwh: preview.energyCkwh, lastStep: 'cleared' });
    expect(v.card?.amountFen).toBe(v.split.energyFen);
    expect(steps(v.vendId)).toEqual(['checked', 'backed_up', 'marked', 'written', 'verified', 'cleared']);
    const types = journalTypes(v.vendId);
    expect(types.filter((t) => t === 'vend.paid')).toHaveLength(1);
    expect(types.filter((t) => t === 'vend.token_issued')).toHaveLength(1);
    expect(types.filter((t) => t === 'vend.delivered')).toHaveLength(1);
    // The paper record names the purchase count, not a token.
    const receipt = stack.printer.jobs().slice(jobs).at(-1);
    expect(receipt?.text).toContain('购电次数');

    const out = await takeOut();
    const meter = newMeter();
    expect(meter.insert(out as SimulatedCard)).toEqual({ outcome: 'loaded', counter: 1, amountFen: v.card?.amountFen });
    expect(meter.loads).toEqual([{ counter: 1, amountFen: v.split.energyFen }]);
    expect(verifyJournal(stack.core.db).ok).toBe(true);

    // A second purchase after the meter loaded the first: counter 1 → 2, loaded once more.
    await insert(out as SimulatedCard);
    const v2 = ok<VendView>(await purchase('50'));
    expect(v2.card).toMatchObject({ counterBefore: 1, counterAfter: 2 });
    const again = await takeOut();
    expect(meter.insert(again as SimulatedCard)).toMatchObject({ outcome: 'loaded', counter: 2 });
    expect(meter.loads.map((l) => l.amountFen)).toEqual([v.split.energyFen, v2.split.energyFen]);
  });

  describe('refused before any money is taken, nothing written', () => {
    const cases: readonly [string, () => SimulatedCard | null, string][] = [
      ['no card in the reader', () => null, 'vending.card_absent'],
      ['a card of another account', () => newCard({ accountNo: other.accountNo, meterNo: other.meterNo, generation: other.generation }), 'vending.card_other_account'],
      ['a card of the wrong generation', () => newCard({ generation: 1 }), 'vending.card_generation_mismatch'],
    ];
    it.each(cases)('%s', async (_name, make, expected) => {
      const card = make();
      if (card) await insert(card);
      const writes = card?.writes ?? 0;
      const before = counts();
      const r = await purchase('100');
      expect(code(r)).toBe(expected);
      expect(counts()).toEqual(before);
      expect(card?.writes ?? 0).toBe(writes);
      const check = ok<VendCardCheckView>(await stack.core.dispatch('vend.cardCheck', { accountNo: CARD_ACCOUNT }, clerk));
      expect(check.problem?.code).toBe(expected);
      if (card) await takeOut();
    });

    it('the previous purchase not yet loaded into the meter', async () => {
      const card = newCard();
      await insert(card);
      ok<VendView>(await purchase('60'));
      const writes = card.writes;
      const before = counts();
      const r = await purchase('60');
      expect(code(r)).toBe('vending.card_previous_not_loaded');
      if (!r.ok) expect(r.error.details).toMatchObject({ counter: 1, meterLoadedCounter: 0 });
      expect(counts()).toEqual(before);
      expect(card.writes).toBe(writes);
      await takeOut();
    });
  });
});

describe('card pulled out mid-write, then presented again', () => {
  // The write is 6 block writes: backup ×2, mark, record ×2, clear. Pull after 0..5 of them.
  it.each([0, 1, 2, 3, 4, 5])('after %i block writes: recovered on re-insert, exactly one credit', async (n) => {
    const card = newCard();
    const meter = newMeter();
    await insert(card);
    stack.hall.cardReader.removeCardAfterWrites(n);
    const v = ok<VendView>(await purchase('80'));
    expect(v.state).toBe('token_issued');
    expect(v.deliveryError?.code).toBe('card.removed');
    expect(v.card?.counterAfter).toBeNull();
    // Not on the card yet (or grey-locked): the meter credits nothing.
    const loaded = meter.insert(card);
    expect(loaded.outcome === 'loaded').toBe(false);
    await awaitRemovedEvent();

    // The customer puts the same card back: the inserted event recovers and finishes the write.
    await insert(card);
    const done = await until('delivered', () => {
      const r = stack.core.db.prepare('SELECT state FROM vends WHERE vend_id = ?').get(v.vendId) as { state: string };
      return r.state === 'delivered' ? r : null;
    });
    expect(done.state).toBe('delivered');
    const types = journalTypes(v.vendId);
    expect(types.filter((t) => t === 'vend.paid')).toHaveLength(1);
    expect(types.filter((t) => t === 'vend.token_issued')).toHaveLength(1);
    expect(types.filter((t) => t === 'vend.delivered')).toHaveLength(1);
    expect(types).toContain('vend.card_recovered');
    const recovered = journalEntries(stack.core.db).find((e) => e.ref === v.vendId && e.type === 'vend.card_recovered')?.payload as { outcome: string; landed: boolean };
    // 0–2 writes: nothing marked; 3–4: rolled back and written again; 5: the record had landed.
    expect(recovered.outcome).toBe(n <= 2 ? 'nothing_to_recover' : n === 5 ? 'completed' : 'rolled_back');
    expect(recovered.landed).toBe(n === 5);

    const out = await takeOut();
    expect(meter.insert(out as SimulatedCard)).toEqual({ outcome: 'loaded', counter: 1, amountFen: v.split.energyFen });
    expect(meter.insert(out as SimulatedCard)).toEqual({ outcome: 'nothing_new', counter: 1 });
    expect(meter.loads).toHaveLength(1);
  });

  it('the clerk presses "write to card" after re-inserting', async () => {
    const card = newCard();
    await insert(card);
    stack.hall.cardReader.removeCardAfterWrites(3);
    const v = ok<VendView>(await purchase('90'));
    expect(v.deliveryError?.code).toBe('card.removed');
    // Without the card the button answers with the card error; the vend stays undelivered.
    await awaitRemovedEvent();
    const absent = ok<VendView>(await stack.core.dispatch('vend.deliver', { vendId: v.vendId, via: 'card' }, clerk));
    expect(absent.state).toBe('token_issued');
    expect(absent.deliveryError?.code).toBe('card.absent');
    // A new purchase for this meter is refused while this one is pending.
    expect(code(await purchase('10'))).toBe('vending.card_vend_pending');
    stack.hall.cardReader.insert(card);
    const done = ok<VendView>(await stack.core.dispatch('vend.deliver', { vendId: v.vendId, via: 'card' }, clerk));
    expect(done).toMatchObject({ state: 'delivered', delivery: 'card' });
    expect(done.card?.counterAfter).toBe(1);
    const meter = newMeter();
    expect(meter.insert((await takeOut()) as SimulatedCard)).toMatchObject({ outcome: 'loaded', counter: 1 });
  });

  it('a supervisor reversal asks the card first: a purchase that landed is never refunded', async () => {
    const card = newCard();
    await insert(card);
    // 5 writes: the new record is on the card, the mark is still set.
    stack.hall.cardReader.removeCardAfterWrites(5);
    const v = ok<VendView>(await purchase('70'));
    expect(v.state).toBe('token_issued');
    await awaitRemovedEvent();
    const reverse = (sup: Session) =>
      stack.core.dispatch('vend.reverse', { vendId: v.vendId, supervisorId: 'S001', supervisorPin: '9999', reason: 'customer left' }, sup);
    expect(code(await reverse(clerk))).toBe('vending.card_check_needed');
    expect(stack.core.db.prepare('SELECT state FROM vends WHERE vend_id = ?').get(v.vendId)).toEqual({ state: 'token_issued' });
    // Put the card in without the insert event reaching the vend first: the reversal recovers it itself.
    stack.hall.cardReader.insert(card);
    const r = await reverse(clerk);
    const state = (stack.core.db.prepare('SELECT state FROM vends WHERE vend_id = ?').get(v.vendId) as { state: string }).state;
    expect(state).toBe('delivered');
    if (!r.ok) expect(r.error.code).toBe('vending.not_reversible');
    const meter = newMeter();
    expect(meter.insert((await takeOut()) as SimulatedCard)).toMatchObject({ outcome: 'loaded', counter: 1 });
  });
});
