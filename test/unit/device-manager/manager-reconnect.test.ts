/**
 * Reconnect and health polling of the device manager, on the real simulated HID bus with time
 * driven by a manual scheduler: unplug, typed errors while gone, backoff growth, replug, and
 * card/scan events from polling.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GridDeskPrepaidCardFormat } from '../../../kiosk-drivers/card/griddesk-card-format.js';
import { issueGridDeskCard } from '../../../kiosk-drivers/card/sim/issue-card.js';
import { createDeviceManager, type DeviceManager } from '../../../kiosk-drivers/device-manager/device-manager.js';
import type { DeviceManagerEvents, DeviceState } from '../../../kiosk-drivers/device-manager/device-state.js';
import { createSimulatedHall, type SimulatedHall } from '../../../kiosk-drivers/device-manager/sim/simulated-hall.js';
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import { ManualScheduler, settle } from './manual-scheduler.js';

const MASTER_KEY = Uint8Array.from(Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'));
const CARD_POLL_MS = 300;
const SCANNER_POLL_MS = 7000;

let hall: SimulatedHall;
let clock: ManualScheduler;
let manager: DeviceManager;
let events: { [K in keyof DeviceManagerEvents]: DeviceManagerEvents[K][] };

function record(m: DeviceManager) {
  const ev = { statusChanged: [], printerStatusChanged: [], cardInserted: [], cardRemoved: [], scanned: [] } as typeof events;
  for (const k of Object.keys(ev) as (keyof typeof ev)[]) m.on(k, (p) => (ev[k] as unknown[]).push(p));
  return ev;
}

const stateOf = (id: string): DeviceState => {
  const s = manager.list().find((d) => d.id === id);
  if (!s) throw new Error(`no device ${id}`);
  return s;
};
/** Timers other than the scanners' presence polls (which go on regardless). */
const cardTimers = (delays: number[]) => delays.filter((d) => d !== SCANNER_POLL_MS);
const transitions = (id: string) => events.statusChanged.filter((s) => s.id === id).map((s) => s.connection);

beforeEach(async () => {
  hall = createSimulatedHall();
  clock = new ManualScheduler();
  manager = createDeviceManager({
    printer: null,
    hid: async () => hall.module,
    cardReader: hall.matches.cardReader,
    cardFormat: new GridDeskPrepaidCardFormat(MASTER_KEY),
    scanners: hall.matches.scanners,
    cardPollMs: CARD_POLL_MS,
    scannerPollMs: SCANNER_POLL_MS,
    scheduler: clock,
    cardReaderOptions: { timeoutMs: 60, writeTimeoutMs: 60, apduTimeoutMs: 60 },
  });
  events = record(manager);
  manager.start();
  await settle();
});

afterEach(async () => {
  await manager.close();
});

describe('device manager: open and reconnect', () => {
  it('opens every configured device and reports each as connected once', () => {
    expect(manager.list().map((d) => [d.id, d.kind, d.mode, d.connection, d.health])).toEqual([
      ['cardReader', 'cardReader', null, 'connected', 'ok'],
      ['scanner:0', 'scanner', 'wedge', 'connected', 'ok'],
      ['scanner:1', 'scanner', 'pos', 'connected', 'ok'],
    ]);
    expect(transitions('cardReader')).toEqual(['connected']);
    expect(stateOf('cardReader').address).toBe('hid 1209:cad0');
  });

  it('unplug → disconnected event and typed errors on use; re-enumerates with growing backoff; replug → connected', async () => {
    hall.cardReader.unplug();
    await settle();
    expect(transitions('cardReader')).toEqual(['connected', 'disconnected']);
    const gone = stateOf('cardReader');
    expect(gone).toMatchObject({ health: 'fault', fault: 'device.disconnected', stateKey: 'diagnostics.state.disconnected' });
    expect(gone.lastError?.code).toBe('device.disconnected');
    expect(gone.lastError?.at).toBe(new Date(clock.now()).toISOString());

    await expect(manager.readCard()).rejects.toMatchObject({ code: 'device.disconnected' });
    expect(() => manager.cardWriter()).toThrow(DeviceError);

    // The re-open attempts wait 500, 1000, 2000, 4000 ms (default policy) while the reader is away.
    expect(cardTimers(clock.pending())).toEqual([500]);
    const before = clock.requested.length;
    await clock.advance(500 + 1000 + 2000 + 4000);
    expect(cardTimers(clock.requested.slice(before))).toEqual([1000, 2000, 4000, 8000]);
    // Failed re-opens are not news: the first one changes lastError (not_found), the next three change nothing.
    expect(transitions('cardReader')).toEqual(['connected', 'disconnected', 'disconnected']);
    expect(stateOf('cardReader').lastError?.code).toBe('device.not_found');

    hall.cardReader.replug();
    await clock.advance(7999);
    expect(stateOf('cardReader').connection).toBe('disconnected');
    await clock.advance(1);
    expect(transitions('cardReader')).toEqual(['connected', 'disconnected', 'disconnected', 'connected']);
    expect(stateOf('cardReader').health).toBe('ok');

    // After a good probe the backoff starts over.
    hall.cardReader.unplug();
    await settle();
    expect(clock.pending().filter((d) => d <= 1000)).toEqual([500]);
  });

  it('a scanner that vanishes from the listing is found again after replug, and scans flow again', async () => {
    hall.pos.unplug();
    await settle();
    expect(stateOf('scanner:1').connection).toBe('disconnected');
    expect(stateOf('scanner:0').connection).toBe('connected');
    hall.pos.replug();
    await clock.advance(500);
    expect(stateOf('scanner:1').connection).toBe('connected');
    hall.pos.scan('https://pay.example/q/123', ']Q1');
    await settle();
    expect(events.scanned).toEqual([{ deviceId: 'scanner:1', data: 'https://pay.example/q/123', symbology: 'qr', source: 'pos' }]);
  });
});

describe('device manager: health polling → events', () => {
  it('card inserted and removed are seen at the next poll, with the serial', async () => {
    const card = issueGridDeskCard({ masterKey: MASTER_KEY, uid: Uint8Array.of(0x5a, 0x10, 0x20, 0x30), accountNo: '3100012345', meterNo: '000012345678', generation: 2 });
    hall.cardReader.insert(card);
    await clock.advance(CARD_POLL_MS - 1);
    expect(events.cardInserted).toEqual([]);
    await clock.advance(1);
    expect(events.cardInserted).toEqual([{ deviceId: 'cardReader', cardSerial: '5A102030', cardType: 'contactless' }]);
    expect(stateOf('cardReader')).toMatchObject({ cardSerial: '5A102030', stateKey: 'diagnostics.state.cardPresent' });

    const read = await manager.readCard();
    expect(read.snapshot).toMatchObject({ cardSerial: '5A102030', identity: { accountNo: '3100012345', meterNo: '000012345678' }, greyLocked: false });

    hall.cardReader.removeCard();
    await clock.advance(CARD_POLL_MS);
    expect(events.cardRemoved).toEqual([{ deviceId: 'cardReader', cardSerial: '5A102030' }]);
    expect(stateOf('cardReader')).toMatchObject({ cardSerial: null, stateKey: 'diagnostics.state.ready' });
    await expect(manager.readCard()).rejects.toMatchObject({ code: 'card.absent' });
    // No card is about the card, not the reader: the reader's record stays clean.
    expect(stateOf('cardReader').lastError).toBeNull();
  });

  it('a reader that stops answering stays connected but faulty; it recovers when it answers again', async () => {
    hall.cardReader.faults.mute = true;
    await clock.advance(CARD_POLL_MS);
    await new Promise((r) => setTimeout(r, 120)); // the reader's own command timeout (60 ms) is real time
    await settle();
    expect(stateOf('cardReader')).toMatchObject({ connection: 'connected', health: 'fault', fault: 'hid.timeout' });
    hall.cardReader.faults.mute = false;
    await clock.advance(CARD_POLL_MS);
    expect(stateOf('cardReader')).toMatchObject({ connection: 'connected', health: 'ok', fault: null });
    expect(stateOf('cardReader').lastError?.code).toBe('hid.timeout');
  });

  it('nextScan resolves with the next scan from any scanner and times out on the injected clock', async () => {
    const waiting = manager.nextScan(5000);
    hall.wedge.scan('3100000001');
    await expect(waiting).resolves.toEqual({ deviceId: 'scanner:0', data: '3100000001', symbology: null, source: 'wedge' });

    const silent = manager.nextScan(5000);
    const outcome = silent.then(() => 'scan', (e: unknown) => e);
    await clock.advance(4999);
    hall.wedge.unplug();
    await clock.advance(1);
    await expect(outcome).resolves.toMatchObject({ code: 'device.timeout', details: { device: 'scanner', timeoutMs: 5000 } });
  });

  it('scanner presence is polled at its own interval and nothing is emitted while all is well', async () => {
    const n = events.statusChanged.length;
    await clock.advance(SCANNER_POLL_MS * 3);
    expect(events.statusChanged.length).toBe(n);
    // One presence poll per scanner and one card poll pending, each at its own interval.
    expect(clock.pending().sort((a, b) => a - b)).toEqual([CARD_POLL_MS, SCANNER_POLL_MS, SCANNER_POLL_MS].map((d) => d - ((SCANNER_POLL_MS * 3) % d)).sort((a, b) => a - b));
  });
});
