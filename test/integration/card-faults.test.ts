import { afterEach, describe, expect, it } from 'vitest';
import { deriveCardKeys } from '../../kiosk-drivers/card/card-crypto.js';
import { accessConditions, ISSUED_ACCESS_BITS } from '../../kiosk-drivers/card/sim/simulated-card.js';
import { DeviceError, DEVICE_ERROR_CODES } from '../../kiosk-drivers/errors.js';
import { CARD_COMMAND, CARD_STATUS, encodeResponse, NAK_COMMAND } from '../../kiosk-drivers/hid/card-protocol.js';
import { splitIntoReports } from '../../kiosk-drivers/hid/report.js';
import { until } from '../support/events.js';
import { mulberry32 } from '../support/prng.js';
import { LAYOUT } from '../../kiosk-drivers/card/card-layout.js';
import { issueGridDeskCard } from '../../kiosk-drivers/card/sim/issue-card.js';
import { SimulatedCard } from '../../kiosk-drivers/card/sim/simulated-card.js';
import { SIM_CARD_READER_IDS } from '../../kiosk-drivers/hid/sim/simulated-card-reader.js';
import { ACCOUNT, codeOf, GENERATION, makeRig, MASTER_KEY, METER, OTHER_UTILITY_KEY, purchase, type CardRig } from '../unit/card/card-fixture.js';

let rig: CardRig | null = null;
afterEach(async () => {
  await rig?.writer.close();
  rig = null;
});

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
    const reader = rig.reader;
    const sent = reader.received.length;
    const pending = rig.device.status();
    await until(() => reader.received.length > sent); // the request is at the reader, which stays silent
    reader.unplug();
    expect(await codeOf(pending)).toBe('device.disconnected');
    expect(rig.device.stats.timeouts).toBe(0); // ended by the unplug, not by its 5 s timeout
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

describe('sector trailers (the card keeps its own keys)', () => {
  it('an issued card refuses a trailer write with key A; its keys and access bits stay as issued', async () => {
    rig = await makeRig();
    rig.reader.insert(rig.card);
    const keyA = { type: 'a' as const, key: deriveCardKeys(MASTER_KEY, rig.card.uid).sectorKey };
    const trailer = 4 * LAYOUT.sectors[0] + 3;
    const before = rig.card.peek(trailer);
    expect(await codeOf(rig.device.writeBlock(trailer, keyA, new Uint8Array(16).fill(0xff)))).toBe('card.auth_failed');
    expect(Buffer.from(rig.card.peek(trailer)).equals(Buffer.from(before))).toBe(true);
    // Data blocks of the same sector stay writable with key A.
    await rig.device.writeBlock(LAYOUT.backup[0], keyA, rig.card.peek(LAYOUT.purchase[0]));
    expect((await rig.writer.readCard()).greyLocked).toBe(false);
  });

  it('a transport-configured card lets key A rewrite its trailer; broken access bits lock the trailer', async () => {
    rig = await makeRig();
    const blank = new SimulatedCard({ uid: Uint8Array.of(1, 2, 3, 4) });
    rig.reader.insert(blank);
    const ff = { type: 'a' as const, key: new Uint8Array(6).fill(0xff) };
    const t = Uint8Array.from([...new Array<number>(6).fill(0xff), ...ISSUED_ACCESS_BITS, ...new Array<number>(6).fill(0xff)]);
    await rig.device.writeBlock(7, ff, t);
    expect(Buffer.from(blank.peek(7)).toString('hex')).toBe(Buffer.from(t).toString('hex'));
    // Now 011: key A may not rewrite it any more, key B may.
    expect(await codeOf(rig.device.writeBlock(7, ff, t))).toBe('card.auth_failed');
    await rig.device.writeBlock(7, { type: 'b', key: new Uint8Array(6).fill(0xff) }, t);
    // Access bits whose inverted copy disagrees: nobody may write the trailer.
    blank.setAccessBits(2, Uint8Array.of(0xff, 0xff, 0x80, 0x69));
    expect(await codeOf(rig.device.writeBlock(11, ff, t))).toBe('card.auth_failed');
    expect(accessConditions(blank.peek(11), 3)).toBeNull();
  });
});

describe('error paths of the card format and the reader', () => {
  it('a GridDesk card of another format version → card.format_unsupported', async () => {
    rig = await makeRig();
    const b4 = rig.card.peek(LAYOUT.identity[0]);
    b4[2] = 2;
    rig.card.poke(LAYOUT.identity[0], b4);
    rig.reader.insert(rig.card);
    const err = await rig.writer.readCard().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'card.format_unsupported', details: { formatVersion: 2 } });
  });

  it('a write the card acknowledges but does not keep → card.write_verify_failed, mark left set, recovery rolls back', async () => {
    rig = await makeRig();
    rig.card.stuckBlocks.add(LAYOUT.purchase[1]);
    rig.reader.insert(rig.card);
    const err = await rig.writer.writePurchase(purchase(0, 500)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'card.write_verify_failed', details: { counter: 1 } });
    expect((await rig.writer.readCard()).greyLocked).toBe(true);
    rig.card.stuckBlocks.clear();
    const rec = await rig.writer.recoverPurchase({ purchaseId: 'P-1', accountNo: ACCOUNT, meterNo: METER, counterBefore: 0 });
    expect(rec).toMatchObject({ outcome: 'rolled_back', landed: false, counter: 0 });
  });

  it('recovery checks the meter number too', async () => {
    rig = await makeRig();
    rig.reader.insert(rig.card);
    rig.reader.removeCardAfterWrites(3);
    await rig.writer.writePurchase(purchase(0, 500)).catch(() => undefined);
    rig.reader.insert(rig.card);
    const err = await rig.writer
      .recoverPurchase({ purchaseId: 'P-1', accountNo: ACCOUNT, meterNo: '000099999999', counterBefore: 0 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'card.account_mismatch', details: { cardMeterNo: METER } });
    expect((await rig.writer.readCard()).greyLocked).toBe(true); // nothing written
  });

  it('reader status 07 (card error) → card.io_error; 06 (bad parameter) → hid.status_error', async () => {
    rig = await makeRig();
    rig.reader.insert(new SimulatedCard({ uid: Uint8Array.of(1, 2, 3, 4), type: 'contact_cpu' }));
    const ff = { type: 'a' as const, key: new Uint8Array(6).fill(0xff) };
    expect(await codeOf(rig.device.readBlock(4, ff))).toBe('card.io_error');
    rig.reader.insert(new SimulatedCard({ uid: Uint8Array.of(1, 2, 3, 4) }));
    const err = await rig.device.readBlock(64, ff).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'hid.status_error', details: { status: 6 } });
  });

  it('CARD_REMOVED (05) answering a read → card.removed with the step', async () => {
    rig = await makeRig();
    rig.reader.insert(rig.card);
    rig.reader.removeCardDuringRead(3);
    const err = await rig.writer.readCard().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'card.removed', details: { step: 'read', status: 5 } });
    expect(rig.reader.insertedCard).toBeNull();
  });

  it('a response cut short is retried; cut short every time → hid.checksum, never a hang', async () => {
    rig = await makeRig({ timeoutMs: 200, maxRetries: 2 });
    rig.reader.insert(rig.card);
    rig.reader.faults.truncateResponses = 1;
    expect((await rig.device.status()).present).toBe(true);
    expect(rig.device.stats.retries).toBe(1);
    rig.reader.faults.truncateResponses = 3;
    const before = { ...rig.device.stats };
    expect(await codeOf(rig.device.status())).toBe('hid.checksum');
    // Decided from the short reports (three bad frames, one per attempt), never by waiting out a timeout.
    expect(rig.device.stats.corruptResponses - before.corruptResponses).toBe(3);
    expect(rig.device.stats.timeouts).toBe(before.timeouts);
  });

  it('a stray frame start in front of every reply: the reply inside is found, no timeout, no retry', async () => {
    rig = await makeRig({ timeoutMs: 200 });
    rig.reader.insert(rig.card);
    rig.reader.faults.strayStartBeforeResponse = true;
    expect(await rig.writer.writePurchase(purchase(0, 500))).toMatchObject({ outcome: 'written', counter: 1 });
    expect(rig.device.stats).toMatchObject({ timeouts: 0, retries: 0 });
  });
});

describe('fuzz: HidCardReaderDevice with random reports arriving while commands are in flight', () => {
  it('every command settles (value or typed DeviceError), none hangs, and the reader works afterwards', async () => {
    rig = await makeRig({ timeoutMs: 40, writeTimeoutMs: 40, apduTimeoutMs: 40, maxRetries: 1 });
    const r = rig;
    r.reader.insert(r.card);
    const rand = mulberry32(0x5eed);
    const known = new Set<string>(DEVICE_ERROR_CODES);
    const ff = { type: 'a' as const, key: new Uint8Array(6).fill(0xff) };
    const samples = [
      encodeResponse(CARD_COMMAND.status, 0, Uint8Array.of(1, 2), 1),
      encodeResponse(CARD_COMMAND.readBlock, 0, new Uint8Array(16).fill(0x42), 2),
      encodeResponse(CARD_COMMAND.uid, 0, Uint8Array.of(1, 2, 3, 4), 3),
      encodeResponse(NAK_COMMAND, CARD_STATUS.checksum),
    ];
    const commands: (() => Promise<unknown>)[] = [
      () => r.device.status(),
      () => r.device.uid(),
      () => r.device.readBlock(4, ff),
      () => r.device.writeBlock(20, ff, new Uint8Array(16)),
      () => r.device.beep(10),
    ];
    let typed = 0;
    let fine = 0;
    for (let i = 0; i < 400; i++) {
      const pending = (commands[i % commands.length] as () => Promise<unknown>)();
      const noise = Math.floor(rand() * 4);
      for (let k = 0; k < noise; k++) {
        const pick = rand();
        let bytes: Uint8Array;
        if (pick < 0.4) bytes = Uint8Array.from({ length: 1 + Math.floor(rand() * 63) }, () => Math.floor(rand() * 256));
        else {
          const s = (samples[Math.floor(rand() * samples.length)] as Uint8Array).slice();
          s[4] = Math.floor(rand() * 256); // any SEQ, sometimes the one in flight
          if (rand() < 0.5) s[Math.floor(rand() * s.length)] = Math.floor(rand() * 256);
          bytes = s;
        }
        const reports = splitIntoReports(bytes);
        if (rand() < 0.2) (reports[0] as Uint8Array)[0] = Math.floor(rand() * 256);
        for (const rep of reports) r.reader.sendRaw(rep);
      }
      try {
        await pending;
        fine++;
      } catch (err) {
        if (!(err instanceof DeviceError) || !known.has(err.code)) throw err;
        typed++;
      }
    }
    expect(fine).toBeGreaterThan(100);
    expect(typed).toBeGreaterThan(0);
    expect(r.device.connected).toBe(true);
    expect((await r.device.status()).present).toBe(true);
  });
});
