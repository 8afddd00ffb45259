/**
 * The printer section of a site file (main/config.ts) and the transport it gets
 * (main/compose/printer.ts): network, usb by usblp path or by libusb ids, serial with its line
 * settings — unambiguous, validated with messages that name the file and the field.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../main/config.js';
import { configPaths } from '../../../main/compose/index.js';
import { printerAddress, printerTransportFor } from '../../../main/compose/printer.js';
import { DeviceError } from '../../../kiosk-drivers/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'gd-printer-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const defaults = configPaths([])[0] as string;
let n = 0;
function site(printer: unknown): string {
  const file = path.join(dir, `site-${++n}.json`);
  writeFileSync(file, JSON.stringify({ printer }));
  return file;
}
const load = (printer: unknown) => loadConfig([defaults, site(printer)]);
function thrown(fn: () => unknown): string {
  try {
    fn();
    return '';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** The error a transport fails with on this machine (no printer attached): says which transport it is. */
async function openError(printer: unknown): Promise<DeviceError> {
  const p = load(printer).printer;
  if (p.transport === 'none') throw new Error('no printer');
  const t = printerTransportFor(p);
  try {
    await t.write(Uint8Array.of(0x10, 0x04, 0x01));
  } catch (e) {
    if (e instanceof DeviceError) return e;
    throw e;
  } finally {
    await t.close();
  }
  throw new Error('expected no printer here');
}

describe('printer transports in the site file', () => {
  it('network stays the default', () => {
    const c = loadConfig([defaults]);
    expect(c.printer).toMatchObject({ transport: 'network', host: '127.0.0.1', port: 9100, completion: 'transmit_status' });
    expect(printerAddress(c)).toBe('tcp 127.0.0.1:9100');
  });

  it('usb by path: the Linux usblp device file', async () => {
    const c = load({ transport: 'usb', path: '/dev/usb/lp9' });
    expect(c.printer).toMatchObject({ transport: 'usb', path: '/dev/usb/lp9' });
    expect(printerAddress(c)).toBe('usb /dev/usb/lp9');
    expect(await openError({ transport: 'usb', path: path.join(dir, 'no-lp') })).toMatchObject({ code: 'device.not_found', details: { transport: 'usb', cause: 'ENOENT' } });
  });

  it('usb by vendorId/productId (numbers, or hex strings as lsusb shows them): libusb, any OS', async () => {
    const c = load({ transport: 'usb', vendorId: '0x0416', productId: 20497, serialNumber: 'PRN-7' });
    expect(c.printer).toMatchObject({ transport: 'usb', vendorId: 0x0416, productId: 0x5011, serialNumber: 'PRN-7' });
    expect(printerAddress(c)).toBe('usb 0x0416:0x5011 #PRN-7');
    // The real libusb adapter lists this machine's devices and finds no such printer.
    expect(await openError({ transport: 'usb', vendorId: '0xfffe', productId: '0xfffd' })).toMatchObject({
      code: 'device.not_found',
      details: { transport: 'usb', path: 'fffe:fffd', op: 'find' },
    });
  });

  it('serial: the line settings are the printer\'s, 8N1 without flow control unless said otherwise', async () => {
    const c = load({ transport: 'serial', path: 'COM3', baudRate: 9600 });
    expect(c.printer).toEqual({ transport: 'serial', path: 'COM3', baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, flowControl: 'none', completion: 'transmit_status', jobTimeoutMs: 20_000 });
    expect(printerAddress(c)).toBe('serial COM3 9600 8N1');
    expect(printerAddress(load({ transport: 'serial', path: '/dev/ttyUSB0', baudRate: 115200, parity: 'even', dataBits: 7, stopBits: 2, flowControl: 'rtscts' }))).toBe(
      'serial /dev/ttyUSB0 115200 7E2 rtscts',
    );
    expect(await openError({ transport: 'serial', path: '/dev/ttyGRIDDESK-NONE', baudRate: 9600 })).toMatchObject({ code: 'device.not_found', details: { transport: 'serial' } });
  });
});

describe('printer config errors name the file and the field', () => {
  it.each([
    [{ transport: 'usb', path: '/dev/usb/lp0', vendorId: 1046, productId: 20497 }, 'printer.path: give either path (the Linux usblp device, e.g. /dev/usb/lp0) or vendorId and productId (libusb, Windows or Linux), not both'],
    [{ transport: 'usb', vendorId: '0416', productId: 1 }, 'printer.vendorId: must be a USB id: a number 0–65535, or hex in a string such as "0x0416"'],
    [{ transport: 'usb', vendorId: 70000, productId: 1 }, 'printer.vendorId: Too big'],
    [{ transport: 'usb', path: '/dev/usb/lp0', serialNumber: 'X' }, 'printer.serialNumber: applies to a printer chosen by vendorId and productId, not to path'],
    [{ transport: 'serial', path: 'COM3', baudRate: 9601 }, 'printer.baudRate: must be one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400'],
    [{ transport: 'serial', path: 'COM3', baudRate: 9600, flowControl: 'dtrdsr' }, 'printer.flowControl:'],
    [{ transport: 'serial', path: 'COM3', baudRate: 9600, stopBits: 1.5 }, 'printer.stopBits: must be 1 or 2'],
    [{ transport: 'serial', path: 'COM3', baudrate: 9600 }, 'printer.baudrate: unknown key'],
    [{ transport: 'parallel', path: 'LPT1' }, 'printer.transport:'],
  ])('%j', (printer, message) => {
    const file = site(printer);
    expect(thrown(() => loadConfig([defaults, file]))).toContain(`${file}: ${message}`);
  });

  it.each([
    [{ transport: 'usb' }, 'printer.path: the usb transport needs either path (the Linux usblp device, e.g. /dev/usb/lp0) or vendorId and productId (libusb, Windows or Linux)'],
    [{ transport: 'usb', vendorId: 1046 }, 'printer.productId: required with vendorId'],
    [{ transport: 'usb', productId: 1046 }, 'printer.vendorId: required with productId'],
    [{ transport: 'serial', path: 'COM3' }, "printer.baudRate: required for the serial transport: the printer's baud rate (see its self-test page), e.g. 9600 or 115200"],
  ])('missing: %j names every file', (printer, message) => {
    const file = site(printer);
    expect(thrown(() => loadConfig([defaults, file]))).toContain(`${defaults}, ${file} (not set): ${message}`);
  });
});
