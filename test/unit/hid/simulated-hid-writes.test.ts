/**
 * The simulated HID bus takes writes the way hidapi and a real device do (docs/devices/card-reader.md
 * §1 and §6): report ID first (0x00 for the card reader's unnumbered reports), then at most one
 * 64-byte report. A driver that forgets the report-ID byte must fail here as it would on hardware.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HidCardReaderDevice } from '../../../kiosk-drivers/card/hid-card-reader.js';
import { SimulatedCard } from '../../../kiosk-drivers/card/sim/simulated-card.js';
import { cardRequest } from '../../../kiosk-drivers/hid/card-protocol.js';
import type { HidModule } from '../../../kiosk-drivers/hid/hid-module.js';
import { splitIntoReports, toOutputReport } from '../../../kiosk-drivers/hid/report.js';
import { SimulatedCardReader } from '../../../kiosk-drivers/hid/sim/simulated-card-reader.js';
import { SimulatedHidBus, type SimulatedHIDAsync } from '../../../kiosk-drivers/hid/sim/simulated-hid.js';
import { codeOf } from '../card/card-fixture.js';

const statusReport = (): Uint8Array => splitIntoReports(cardRequest.status())[0] as Uint8Array;

function rig() {
  const bus = new SimulatedHidBus();
  const reader = bus.add(new SimulatedCardReader());
  reader.insert(new SimulatedCard({ uid: Uint8Array.of(1, 2, 3, 4) }));
  return { bus, reader, path: reader.info.path ?? '' };
}

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

describe('simulated HID writes are as strict as hidapi and the device', () => {
  it('accepts report ID 00 + the 64-byte report, and answers it', async () => {
    const { bus, reader, path } = rig();
    const dev = await bus.module().HIDAsync.open(path);
    cleanup = () => dev.close();
    expect(await dev.write(toOutputReport(statusReport()))).toBe(65);
    expect(reader.received.map((r) => r.command)).toEqual([0x10]);
    expect(await dev.read(1000)).toBeDefined();
  });

  it('pads a shorter write with zeros up to the report length, as hidapi does', async () => {
    const { bus, reader, path } = rig();
    const dev = await bus.module().HIDAsync.open(path);
    cleanup = () => dev.close();
    const r = statusReport();
    const n = (r[0] as number) + 1; // header + payload, no padding
    expect(await dev.write([0x00, ...r.subarray(0, n)])).toBe(65);
    expect(reader.received).toHaveLength(1);
  });

  it('refuses the 64-byte report without its report-ID byte; nothing reaches the reader', async () => {
    const { bus, reader, path } = rig();
    const dev = await bus.module().HIDAsync.open(path);
    cleanup = () => dev.close();
    await expect(dev.write(Buffer.from(statusReport()))).rejects.toThrow(/Cannot write to hid device.*report ID 0x00/);
    expect(reader.received).toHaveLength(0);
  });

  it('refuses a report ID the device does not have, an oversized write and an empty one', async () => {
    const { bus, reader, path } = rig();
    const dev = await bus.module().HIDAsync.open(path);
    cleanup = () => dev.close();
    const out = toOutputReport(statusReport());
    await expect(dev.write(Buffer.concat([Buffer.of(0x01), out.subarray(1)]))).rejects.toThrow(/Cannot write to hid device/);
    await expect(dev.write(Buffer.concat([out, Buffer.of(0)]))).rejects.toThrow(/66 bytes for a 64-byte report/);
    await expect(dev.write([])).rejects.toThrow(/Cannot write to hid device/);
    expect(reader.received).toHaveLength(0);
  });

  it('the synchronous HID class applies the same rules', () => {
    const { bus, reader, path } = rig();
    const dev = new (bus.module().HID)(path);
    try {
      expect(() => dev.write(Buffer.from(statusReport()))).toThrow(/Cannot write to hid device/);
      expect(dev.write(toOutputReport(statusReport()))).toBe(65);
      expect(reader.received).toHaveLength(1);
    } finally {
      dev.close();
    }
  });
});

/** node-hid as a driver that forgets the report-ID byte would use it: every write loses byte 0. */
function forgettingReportId(hid: HidModule): HidModule {
  return {
    devices: () => hid.devices(),
    devicesAsync: () => hid.devicesAsync(),
    HIDAsync: {
      open: async (path: string) => {
        const dev = (await hid.HIDAsync.open(path)) as SimulatedHIDAsync;
        const write = dev.write.bind(dev);
        dev.write = (values: number[] | Buffer) => write(Buffer.from(values).subarray(1));
        return dev;
      },
    },
  };
}

describe('a card-reader driver that writes without the report ID', () => {
  it('fails on the simulator as on hardware (write refused → device.disconnected), while the real driver works', async () => {
    const good = rig();
    const device = await HidCardReaderDevice.open(good.bus.module(), good.path, { timeoutMs: 200 });
    expect((await device.status()).present).toBe(true);
    await device.close();

    const bad = rig();
    const forgetful = await HidCardReaderDevice.open(forgettingReportId(bad.bus.module()), bad.path, { timeoutMs: 200 });
    cleanup = () => forgetful.close();
    expect(await codeOf(forgetful.status())).toBe('device.disconnected');
    expect(bad.reader.received).toHaveLength(0);
  });
});
