import { describe, expect, it } from 'vitest';
import { TerminalConfigSchema } from '../../../main/config.js';

const base = {
  terminalId: 'T-1',
  mode: 'counter',
  defaultLocale: 'zh-CN',
  timeZone: 'Asia/Shanghai',
  dataDir: '.data',
  backend: { url: 'http://127.0.0.1:8780', terminalSecret: 'x'.repeat(16), lookupTimeoutMs: 1500, pushIntervalMs: 5000, pushBatchSize: 100 },
  printer: { transport: 'none' },
  receipt: { header: 'h', hotline: '95598' },
};

describe('terminal config: devices section', () => {
  it('is optional, and defaults fill a minimal one', () => {
    expect(TerminalConfigSchema.parse(base).devices).toBeUndefined();
    expect(TerminalConfigSchema.parse({ ...base, devices: { simulated: true } }).devices).toEqual({
      simulated: true,
      cardReader: null,
      scanners: [],
      printerPollMs: 5000,
      cardPollMs: 500,
      scannerPollMs: 2000,
      reconnect: { initialMs: 500, maxMs: 10_000 },
    });
  });

  it('takes HID devices by ids, serial number, usage page or path', () => {
    const devices = {
      cardReader: { vendorId: 0x1209, productId: 0xcad0, serialNumber: 'CR-17' },
      scanners: [
        { vendorId: 0x05e0, productId: 0x1200, usagePage: 0x8c, mode: 'pos' },
        { vendorId: 0x0c2e, productId: 0x0b61, path: '/dev/hidraw3', mode: 'wedge' },
      ],
    };
    expect(TerminalConfigSchema.parse({ ...base, devices }).devices).toMatchObject(devices);
  });

  it.each([
    ['vendor id out of range', { cardReader: { vendorId: 0x10000, productId: 1 } }],
    ['unknown scanner mode', { scanners: [{ vendorId: 1, productId: 2, mode: 'serial' }] }],
    ['unknown key', { cardReader: { vendorId: 1, productId: 2, vid: 1 } }],
    ['poll too fast', { cardPollMs: 10 }],
  ])('refuses %s', (_name, devices) => {
    expect(TerminalConfigSchema.safeParse({ ...base, devices }).success).toBe(false);
  });
});
