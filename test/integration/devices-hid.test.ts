/**
 * Card reader and scanners through the contract, on the simulated HID bus behind node-hid's API:
 * card inserted/removed events, test card read, unplug → disconnected + typed error → replug →
 * reconnected, and scans from the wedge and POS simulators arriving as `scan.received`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueGridDeskCard } from '../../kiosk-drivers/card/sim/issue-card.js';
import { SimulatedWedgeScanner } from '../../kiosk-drivers/scanner/sim/simulated-scanners.js';
import type { EventName, EventPayloads, MethodName, ParamsOf, ResultOf, RpcResponse } from '../../main/contract/index.js';
import { DEMO_CARD_MASTER_KEY } from '../../main/compose/devices.js';
import type { Session } from '../../main/services/dispatch.js';
import { collectEvents, until } from '../support/events.js';
import { call as typedCall, signedIn, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let supervisor: Session;

const collect = <E extends EventName>(event: E): EventPayloads[E][] => collectEvents(stack.core, event);

const call = (method: string, params: unknown = {}, session = supervisor): Promise<RpcResponse> => stack.core.dispatch(method, params, session);

/** The result of a call that must succeed, typed by the contract. */
const ok = <K extends MethodName>(method: K, params: ParamsOf<K> = {} as ParamsOf<K>): Promise<ResultOf<K>> => typedCall(stack.core, method, params, supervisor);

const card = () =>
  issueGridDeskCard({ masterKey: DEMO_CARD_MASTER_KEY, uid: Uint8Array.of(0x04, 0x11, 0x22, 0x33), accountNo: '3100000007', meterNo: '412000000007', generation: 1 });

beforeAll(async () => {
  stack = await startStack();
  supervisor = await signedIn(stack.core, 'S001', '9999');
});

afterAll(async () => {
  await stack?.dispose();
});

describe('card reader through the contract', () => {
  it('card in → card.inserted, test read shows serial/account/meter/counter/grey-lock; card out → card.removed', async () => {
    const inserted = collect('card.inserted');
    const removed = collect('card.removed');
    expect(await call('devices.testCardRead')).toMatchObject({ ok: false, error: { code: 'card.absent', i18nKey: 'errors.card.absent' } });

    stack.hall.cardReader.insert(card());
    await until(() => inserted.length === 1);
    expect(inserted[0]).toEqual({ deviceId: 'cardReader', cardSerial: '04112233', cardType: 'contactless' });

    const read = await call('devices.testCardRead');
    expect(read).toMatchObject({
      ok: true,
      result: {
        cardSerial: '04112233',
        cardType: 'contactless',
        format: 'griddesk-v1',
        accountNo: '3100000007',
        meterNo: '412000000007',
        generation: 1,
        purchaseCounter: 0,
        greyLocked: false,
        pendingCounter: null,
        previousLoaded: true,
      },
    });

    stack.hall.cardReader.removeCard();
    await until(() => removed.length === 1);
    expect(removed[0]).toEqual({ deviceId: 'cardReader', cardSerial: '04112233' });
  });

  it('a card from another utility is refused with a typed error', async () => {
    stack.hall.cardReader.insert(
      issueGridDeskCard({ masterKey: new Uint8Array(16).fill(7), uid: Uint8Array.of(9, 9, 9, 9), accountNo: '3100000007', meterNo: '412000000007', generation: 1 }),
    );
    // Its sector keys are diversified from another master key: authentication fails → foreign.
    expect(await call('devices.testCardRead')).toMatchObject({ ok: false, error: { code: 'card.foreign', details: { cardSerial: '09090909' } } });
    stack.hall.cardReader.removeCard();
  });

  it('unplug → device.statusChanged disconnected and typed error on use → replug → reconnected', async () => {
    const changes = collect('device.statusChanged');
    const reader = () => changes.filter((c) => c.id === 'cardReader');
    stack.hall.cardReader.unplug();
    await until(() => reader().some((c) => c.connection === 'disconnected'));
    expect(reader().at(-1)).toMatchObject({ health: 'fault', fault: 'device.disconnected', lastError: { code: expect.stringMatching(/^device\./) } });
    expect(await call('devices.testCardRead')).toMatchObject({ ok: false, error: { code: 'device.disconnected' } });
    expect(await call('devices.health')).toMatchObject({ ok: true, result: { cardWriter: { configured: true, available: false } } });

    stack.hall.cardReader.replug();
    await until(() => reader().at(-1)?.connection === 'connected');
    const inserted = collect('card.inserted');
    stack.hall.cardReader.insert(card());
    await until(() => inserted.length === 1);
    expect((await call('devices.testCardRead')).ok).toBe(true);
    stack.hall.cardReader.removeCard();
  });
});

describe('card reader fault switches through the contract', () => {
  const readerState = async () => {
    const d = (await ok('devices.status')).devices.find((x) => x.id === 'cardReader');
    if (!d) throw new Error('no card reader in the device list');
    return d;
  };

  it.each([
    ['corrupt responses', 'hid.checksum', (on: boolean): void => void (stack.hall.cardReader.faults.corruptResponses = on ? 1_000_000 : 0)],
    ['NAKs', 'hid.checksum', (on: boolean): void => void (stack.hall.cardReader.faults.nakRequests = on ? 1_000_000 : 0)],
    ['mute', 'hid.timeout', (on: boolean): void => void (stack.hall.cardReader.faults.mute = on)],
  ] as const)('%s → %s on a test read; device.statusChanged and the device list show the fault; cleared → ok', async (_name, code, setFault) => {
    stack.hall.cardReader.insert(card());
    const changes = collect('device.statusChanged');
    setFault(true);
    try {
      expect(await call('devices.testCardRead')).toMatchObject({ ok: false, error: { code, i18nKey: `errors.${code}` } });
      await call('devices.refresh', { deviceId: 'cardReader' });
      const fault = { connection: 'connected', health: 'fault', fault: code, stateKey: 'diagnostics.state.error', lastError: { code } };
      expect(changes.filter((c) => c.id === 'cardReader').at(-1)).toMatchObject(fault);
      expect(await readerState()).toMatchObject(fault);
    } finally {
      setFault(false);
    }
    await call('devices.refresh', { deviceId: 'cardReader' });
    expect(await readerState()).toMatchObject({ connection: 'connected', health: 'ok', fault: null });
    expect((await call('devices.testCardRead')).ok).toBe(true);
    stack.hall.cardReader.removeCard();
  });

  it('garbage and a stray frame start before every reply: the reader resynchronises, reads work, health stays ok', async () => {
    stack.hall.cardReader.insert(card());
    stack.hall.cardReader.faults.garbageBeforeResponse = true;
    stack.hall.cardReader.faults.strayStartBeforeResponse = true;
    try {
      expect(await call('devices.testCardRead')).toMatchObject({ ok: true, result: { cardSerial: '04112233', purchaseCounter: 0 } });
      await call('devices.refresh', { deviceId: 'cardReader' });
      expect(await readerState()).toMatchObject({ connection: 'connected', health: 'ok', fault: null, stateKey: 'diagnostics.state.cardPresent' });
    } finally {
      stack.hall.cardReader.faults.garbageBeforeResponse = false;
      stack.hall.cardReader.faults.strayStartBeforeResponse = false;
    }
    stack.hall.cardReader.removeCard();
  });
});

describe('scanners through the contract', () => {
  it('a bad report and a stale partial scan: scanner.bad_report in the device state, the scanner stays connected, the next scan is clean', async () => {
    const changes = collect('device.statusChanged');
    const scans = collect('scan.received');
    stack.hall.wedge.sendRaw(Uint8Array.of(0, 0, 4));
    await until(() => changes.some((c) => c.id === 'scanner:0' && c.lastError?.code === 'scanner.bad_report'));
    expect(changes.filter((c) => c.id === 'scanner:0').at(-1)).toMatchObject({
      connection: 'connected',
      lastError: { code: 'scanner.bad_report', details: { reason: 'length' } },
    });
    // A scan whose Enter was lost, then (after more than the 100 ms gap) a real one.
    for (const r of SimulatedWedgeScanner.reportsFor('ABC').slice(0, -3)) stack.hall.wedge.sendRaw(r);
    await new Promise((r) => setTimeout(r, 250));
    stack.hall.wedge.scan('3100000001');
    await until(() => scans.length === 1);
    expect(scans[0]).toMatchObject({ deviceId: 'scanner:0', data: '3100000001' });
    await until(() => changes.some((c) => c.id === 'scanner:0' && c.lastError?.details?.reason === 'stale'));
    const dev = (await ok('devices.status')).devices.find((d) => d.id === 'scanner:0');
    expect(dev).toMatchObject({ connection: 'connected', lastError: { code: 'scanner.bad_report', details: { reason: 'stale' } } });
  });

  it('scans from the wedge and the POS scanner arrive as scan.received', async () => {
    const scans = collect('scan.received');
    stack.hall.wedge.scan('3100000001');
    stack.hall.pos.scan('https://pay.example/q/AB12', ']Q1');
    await until(() => scans.length === 2);
    expect(scans).toEqual(
      expect.arrayContaining([
        { deviceId: 'scanner:0', data: '3100000001', symbology: null, source: 'wedge' },
        { deviceId: 'scanner:1', data: 'https://pay.example/q/AB12', symbology: 'qr', source: 'pos' },
      ]),
    );
  });

  it('devices.testScan returns the next scan, and device.timeout when nothing is scanned', async () => {
    const waiting = call('devices.testScan', { timeoutMs: 3000 });
    await new Promise((r) => setTimeout(r, 50));
    stack.hall.pos.scan('6901234567892', ']E0');
    expect(await waiting).toEqual({ ok: true, result: { deviceId: 'scanner:1', data: '6901234567892', symbology: 'ean13', source: 'pos' } });

    expect(await call('devices.testScan', { timeoutMs: 1000 })).toMatchObject({ ok: false, error: { code: 'device.timeout', details: { device: 'scanner', timeoutMs: 1000 } } });
    expect(await call('devices.testScan', { timeoutMs: 60_000 })).toMatchObject({ ok: false, error: { code: 'validation.invalid_params' } });
  });

  it('an unplugged scanner is reported and comes back; the device list shows every device', async () => {
    stack.hall.wedge.unplug();
    const changes = collect('device.statusChanged');
    await until(() => changes.some((c) => c.id === 'scanner:0' && c.connection === 'disconnected'));
    stack.hall.wedge.replug();
    await until(() => changes.at(-1)?.id === 'scanner:0' && changes.at(-1)?.connection === 'connected');
    expect((await ok('devices.status')).devices.map((d) => [d.id, d.connection])).toEqual([
      ['printer', 'connected'],
      ['cardReader', 'connected'],
      ['scanner:0', 'connected'],
      ['scanner:1', 'connected'],
    ]);
  });
});
