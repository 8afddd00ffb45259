import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import { HidCardReaderDevice } from '../../../kiosk-drivers/card/hid-card-reader.js';
import { SimulatedCard } from '../../../kiosk-drivers/card/sim/simulated-card.js';
import { SimulatedHidBus } from '../../../kiosk-drivers/hid/sim/simulated-hid.js';
import { SimulatedCardReader } from '../../../kiosk-drivers/hid/sim/simulated-card-reader.js';

const KEY = { type: 'a' as const, key: new Uint8Array(6).fill(0xff) };

function blockCard(): SimulatedCard {
  const card = new SimulatedCard({ uid: Uint8Array.of(1, 2, 3, 4) });
  card.poke(1, new Uint8Array(16).fill(0x11));
  card.poke(2, new Uint8Array(16).fill(0x22));
  return card;
}

async function rig(latencyMs: number, timeoutMs: number) {
  const bus = new SimulatedHidBus();
  const reader = bus.add(new SimulatedCardReader({ latencyMs }));
  reader.insert(blockCard());
  const device = await HidCardReaderDevice.open(bus.module(), reader.info.path ?? '', { timeoutMs });
  return { reader, device };
}

async function outcome(p: Promise<Uint8Array>): Promise<string> {
  try {
    return Buffer.from(await p).toString('hex');
  } catch (err) {
    if (err instanceof DeviceError) return err.code;
    throw err;
  }
}

let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  vi.useRealTimers();
  await close?.();
  close = null;
});

describe('HidCardReaderDevice: a late answer never answers the next command', () => {
  it('reader latency 100 ms vs a 60 ms timeout: readBlock(1) after readBlock(2) timed out is not block 2', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] });
    const { reader, device } = await rig(100, 60);
    close = () => device.close();
    const first = outcome(device.readBlock(2, KEY));
    await vi.advanceTimersByTimeAsync(61);
    expect(await first).toBe('hid.timeout');
    // readBlock(1) goes out at t≈60; block 2's late answer (same CMD B0) lands at t=100, inside its window.
    const second = outcome(device.readBlock(1, KEY));
    await vi.advanceTimersByTimeAsync(45);
    expect(device.stats.staleFrames).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(await second).toBe('hid.timeout');
    expect(reader.received.map((r) => r.seq)).toEqual([1, 2]);
    // Once the reader is fast again, block 1 is block 1.
    reader.latencyMs = 10;
    const third = outcome(device.readBlock(1, KEY));
    await vi.advanceTimersByTimeAsync(200);
    expect(await third).toBe('11'.repeat(16));
  });

  it('a late answer of another command type is dropped too, and the real answer still lands', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] });
    const { reader, device } = await rig(100, 60);
    close = () => device.close();
    const first = outcome(device.uid());
    await vi.advanceTimersByTimeAsync(61);
    expect(await first).toBe('hid.timeout');
    reader.latencyMs = 50; // answer at t≈110, after the stale UID answer at t=100
    const second = outcome(device.readBlock(2, KEY));
    await vi.advanceTimersByTimeAsync(100);
    expect(await second).toBe('22'.repeat(16));
    expect(device.stats.staleFrames).toBe(1);
  });

  it('every retry goes out with a fresh SEQ, and SEQ wraps from FF to 01', async () => {
    const { reader, device } = await rig(0, 500);
    close = () => device.close();
    reader.faults.nakRequests = 1;
    await device.status();
    expect(reader.received.map((r) => r.seq)).toEqual([1, 2]);
    for (let i = 0; i < 260; i++) await device.status();
    const seqs = reader.received.map((r) => r.seq);
    expect(seqs.includes(0)).toBe(false);
    expect(seqs.slice(254, 257)).toEqual([0xff, 1, 2]);
  });
});
