import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../kiosk-drivers/errors.js';
import { LAYOUT } from '../../kiosk-drivers/card/card-layout.js';
import { issueGridDeskCard } from '../../kiosk-drivers/card/sim/issue-card.js';
import { SimulatedCard } from '../../kiosk-drivers/card/sim/simulated-card.js';
import { SIM_CARD_READER_IDS } from '../../kiosk-drivers/hid/sim/simulated-card-reader.js';
import { ACCOUNT, GENERATION, makeRig, METER, OTHER_UTILITY_KEY, purchase, type CardRig } from '../unit/card/card-fixture.js';

let rig: CardRig | null = null;
afterEach(async () => {
  await rig?.writer.close();
  rig = null;
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DeviceError) return err.code;
    throw err;
  }
  throw new Error('expected a DeviceError');
}

describe('card faults, each a typed error', () => {
  it('no card', async () => {
    rig = await makeRig();
    expect(await codeOf(rig.writer.writePurchase(purchase(0, 100)))).toBe('card.absent');
    expect(await codeOf(rig.device.uid())).toBe('card.absent');
  });

  it('a card issued by another utility is foreign', async () => {
    rig = await makeRig();
    rig.reader.insert(
      issueGridDeskCard({ masterKey: OTHER_UTILITY_KEY, uid: Uint8Array.of(9, 9, 9, 9), accountNo: ACCOUNT, meterNo: METER, generation: GENERATION }),
    );
    expect(await codeOf(rig.writer.readCard())).toBe('card.foreign');
  });

  it('a blank transport card is foreign', async () => {
    rig = await makeRig();
    rig.reader.insert(new SimulatedCard({ uid: Uint8Array.of(1, 2, 3, 4) }));
    expect(await codeOf(rig.writer.readCard())).toBe('card.foreign');
  });

  it('generation mismatch and account mismatch', async () => {
    rig = await makeRig();
    rig.reader.insert(rig.card);
    expect(await codeOf(rig.writer.writePurchase({ ...purchase(0, 100), meterGeneration: 3 }))).toBe(
      'card.generation_mismatch',
    );
    expect(await codeOf(rig.writer.writePurchase({ ...purchase(0, 100), accountNo: '3100099999' }))).toBe(
      'card.account_mismatch',
    );
    expect((await rig.writer.readCard()).purchase?.counter).toBe(0);
  });

  it('a tampered purchase record fails its MAC', async () => {
    rig = await makeRig();
    const b8 = rig.card.peek(LAYOUT.purchase[0]);
    b8[7] = (b8[7] as number) ^ 0x01; // amount + 1 fen
    rig.card.poke(LAYOUT.purchase[0], b8);
    rig.reader.insert(rig.card);
    expect(await codeOf(rig.writer.readCard())).toBe('card.mac_invalid');
  });

  it('corrupt response frames are retried, then a typed checksum error', async () => {
    rig = await makeRig();
    rig.reader.insert(rig.card);
    rig.reader.faults.corruptResponses = 2;
    expect((await rig.writer.readCard()).purchase?.counter).toBe(0);
    expect(rig.device.stats.retries).toBe(2);
    rig.reader.faults.corruptResponses = 100;
    expect(await codeOf(rig.device.status())).toBe('hid.checksum');
  });

  it('NAKs are retried; garbage on the line is skipped', async () => {
    rig = await makeRig();
    rig.reader.insert(rig.card);
    rig.reader.faults.nakRequests = 1;
    rig.reader.faults.garbageBeforeResponse = true;
    expect(await rig.writer.writePurchase(purchase(0, 500))).toMatchObject({ outcome: 'written', counter: 1 });
  });

  it('an APDU whose answer was corrupted is not re-sent', async () => {
    rig = await makeRig();
    rig.reader.insert(new SimulatedCard({ uid: Uint8Array.of(1, 2, 3, 4), type: 'contact_cpu' }));
    rig.reader.faults.corruptResponses = 1;
    const before = rig.reader.received.length;
    expect(await codeOf(rig.device.apdu(Uint8Array.of(0, 0x84, 0, 0, 8)))).toBe('hid.checksum');
    expect(rig.reader.received.length - before).toBe(1);
  });

  it('a silent reader times out', async () => {
    rig = await makeRig({ timeoutMs: 50 });
    rig.reader.faults.mute = true;
    expect(await codeOf(rig.device.status())).toBe('hid.timeout');
    rig.reader.faults.mute = false;
    expect((await rig.device.status()).present).toBe(false);
  });

  it('the card pulled between reads is card.removed, not card.absent', async () => {
    rig = await makeRig();
    rig.reader.insert(rig.card);
    rig.reader.removeCardAfterReads(2);
    const err = await rig.writer.readCard().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).code).toBe('card.removed');
    expect((err as DeviceError).details.step).toBe('read');
  });

  it('an unplugged reader fails the command in flight, vanishes from the listing, and emits disconnected', async () => {
    rig = await makeRig({ timeoutMs: 5_000 });
    const events: string[] = [];
    rig.writer.on('disconnected', (d) => events.push(d.reason));
    rig.reader.faults.mute = true;
    const started = Date.now();
    const pending = rig.device.status();
    setTimeout(() => rig?.reader.unplug(), 20);
    expect(await codeOf(pending)).toBe('device.disconnected');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(events).toHaveLength(1);
    expect(await rig.hid.devicesAsync()).toEqual([]);
    expect(await codeOf(rig.device.status())).toBe('device.disconnected');
    // Replug: re-enumeration finds it again and a fresh open works.
    rig.reader.replug();
    rig.reader.faults.mute = false;
    const listed = await rig.hid.devicesAsync();
    expect(listed.map((d) => [d.vendorId, d.productId])).toEqual([[SIM_CARD_READER_IDS.vendorId, SIM_CARD_READER_IDS.productId]]);
  });
});
