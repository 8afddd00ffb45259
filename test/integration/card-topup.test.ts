import { afterEach, describe, expect, it } from 'vitest';
import { codeOf, makeRig, purchase, type CardRig } from '../unit/card/card-fixture.js';

let rig: CardRig | null = null;
afterEach(async () => {
  await rig?.writer.close();
  rig = null;
});

describe('card top-up against the simulated reader and card', () => {
  it('writes a purchase, reads it back, and the meter loads it exactly once', async () => {
    rig = await makeRig();
    rig.reader.insert(rig.card);
    const before = await rig.writer.readCard();
    expect(before.identity).toMatchObject({ accountNo: '3100012345', meterNo: '000012345678', generation: 2 });
    expect(before.purchase?.counter).toBe(0);
    expect(before.previousLoaded).toBe(true);

    const steps: string[] = [];
    const res = await rig.writer.writePurchase(purchase(0, 10_000), (s) => steps.push(s));
    expect(res).toEqual({ outcome: 'written', counter: 1, cardSerial: '5A102030' });
    expect(steps).toEqual(['checked', 'backed_up', 'marked', 'written', 'verified', 'cleared']);

    const after = await rig.writer.readCard();
    expect(after.purchase).toMatchObject({ counter: 1, amountFen: 10_000 });
    expect(after.greyLocked).toBe(false);
    expect(after.previousLoaded).toBe(false);

    // The same purchase again (a retry after a lost answer) does not write twice.
    const again = await rig.writer.writePurchase(purchase(0, 10_000));
    expect(again.outcome).toBe('already_written');

    const card = rig.reader.removeCard();
    if (!card) throw new Error('no card');
    expect(rig.meter.insert(card)).toEqual({ outcome: 'loaded', counter: 1, amountFen: 10_000 });
    expect(rig.meter.insert(card)).toEqual({ outcome: 'nothing_new', counter: 1 });
    expect(rig.meter.creditFen).toBe(10_000);

    rig.reader.insert(card);
    const loaded = await rig.writer.readCard();
    expect(loaded.meter).toMatchObject({ lastLoadedCounter: 1, remainingCreditFen: 10_000, loadedAt: 1_767_225_600 });
    expect(loaded.previousLoaded).toBe(true);
    expect((await rig.writer.writePurchase(purchase(1, 5_000))).counter).toBe(2);
  });

  it('refuses a second purchase before the meter loaded the first', async () => {
    rig = await makeRig();
    rig.reader.insert(rig.card);
    await rig.writer.writePurchase(purchase(0, 10_000));
    expect(await codeOf(rig.writer.writePurchase(purchase(1, 2_000)))).toBe('card.previous_not_loaded');
    expect((await rig.writer.readCard()).purchase?.counter).toBe(1);
  });

  it('refuses a stale counter (another terminal wrote meanwhile)', async () => {
    rig = await makeRig();
    rig.reader.insert(rig.card);
    expect(await codeOf(rig.writer.writePurchase(purchase(3, 2_000)))).toBe('card.counter_mismatch');
  });

  it('detects the card and emits inserted/removed on polls', async () => {
    rig = await makeRig();
    const events: string[] = [];
    rig.writer.on('inserted', (d) => events.push(`in:${d.cardSerial}`));
    rig.writer.on('removed', (d) => events.push(`out:${d.cardSerial}`));
    await rig.writer.poll();
    rig.reader.insert(rig.card);
    await rig.writer.poll();
    await rig.writer.poll();
    rig.reader.removeCard();
    await rig.writer.poll();
    expect(events).toEqual(['in:5A102030', 'out:5A102030']);
    expect(await codeOf(rig.writer.readCard())).toBe('card.absent');
  });

  it('talks APDUs and beeps through the same reader', async () => {
    rig = await makeRig();
    const { SimulatedCard } = await import('../../kiosk-drivers/card/sim/simulated-card.js');
    rig.reader.insert(new SimulatedCard({ uid: Uint8Array.of(1, 2, 3, 4, 5, 6, 7), type: 'contact_cpu' }));
    const r = await rig.device.apdu(Uint8Array.of(0x00, 0x84, 0x00, 0x00, 0x08));
    expect(Buffer.from(r).toString('hex')).toBe('11223344556677889000');
    // UPDATE BINARY with 64 bytes: a 69-byte C-APDU, so the request frame spans two reports.
    const data = Array.from({ length: 64 }, (_, i) => (i * 7) & 0xff);
    const received = rig.reader.received.length;
    expect(Buffer.from(await rig.device.apdu(Uint8Array.from([0x00, 0xd6, 0x00, 0x00, 0x40, ...data]))).toString('hex')).toBe('9000');
    expect(rig.reader.received.length - received).toBe(1);
    // READ BINARY of the same 64 bytes: a 66-byte R-APDU, so the response spans two reports too.
    const sent = rig.reader.sentReports;
    const back = await rig.device.apdu(Uint8Array.of(0x00, 0xb0, 0x00, 0x00, 0x40));
    expect(rig.reader.sentReports - sent).toBe(2);
    expect(Buffer.from(back).toString('hex')).toBe(Buffer.from([...data, 0x90, 0x00]).toString('hex'));
    await rig.device.beep(120);
    expect(rig.reader.beeps).toEqual([120]);
    expect(await codeOf(rig.writer.readCard())).toBe('card.unsupported_type');
  });
});
