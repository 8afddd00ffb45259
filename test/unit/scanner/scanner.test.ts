import { describe, expect, it } from 'vitest';
import { HidBarcodeScanner } from '../../../kiosk-drivers/scanner/barcode-scanner.js';
import { KeystrokeBurstDetector } from '../../../kiosk-drivers/scanner/keystroke-burst-detector.js';
import { encodePosReports, PosReportDecoder } from '../../../kiosk-drivers/scanner/pos-decoder.js';
import type { Scan, ScanDecodeEvent } from '../../../kiosk-drivers/scanner/scan.js';
import {
  SimulatedPosScanner,
  SimulatedWedgeScanner,
  SIM_SCANNER_IDS,
} from '../../../kiosk-drivers/scanner/sim/simulated-scanners.js';
import { KeyboardReportDecoder } from '../../../kiosk-drivers/scanner/wedge-decoder.js';
import { findHidDevices } from '../../../kiosk-drivers/hid/hid-module.js';
import { SimulatedHidBus } from '../../../kiosk-drivers/hid/sim/simulated-hid.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'));
const scans = (evs: ScanDecodeEvent[]): string[] => evs.flatMap((e) => (e.kind === 'scan' ? [e.scan.data] : []));
const codes = (evs: ScanDecodeEvent[]): string[] =>
  evs.map((e) => (e.kind === 'scan' ? e.scan.data : `${e.error.code}:${String(e.error.details.reason ?? '')}`));
/** A pinned clock: every report arrives 2 ms after the previous one, as a scanner sends them. */
let now = 0;
const at = (): number => (now += 2);

describe('keyboard wedge reports', () => {
  it('decodes exact boot reports: shift, digits, Enter', () => {
    const d = new KeyboardReportDecoder();
    const reports = [
      '02 00 0B 00 00 00 00 00', // H (shift)
      '00 00 00 00 00 00 00 00',
      '00 00 1E 00 00 00 00 00', // 1
      '00 00 00 00 00 00 00 00',
      '20 00 1F 00 00 00 00 00', // @ (right shift + 2)
      '00 00 00 00 00 00 00 00',
      '00 00 28 00 00 00 00 00', // Enter
      '00 00 00 00 00 00 00 00',
    ];
    const ev = reports.flatMap((r) => d.push(hex(r), at()));
    expect(ev).toEqual([{ kind: 'scan', scan: { data: 'H1@', source: 'wedge' } }]);
  });

  it('a held key repeating in reports is typed once; rollover keeps order; phantom state is ignored', () => {
    const d = new KeyboardReportDecoder();
    const ev = [
      '00 00 04 00 00 00 00 00', // a
      '00 00 04 00 00 00 00 00', // a still held
      '00 00 04 05 00 00 00 00', // b pressed before a released
      '00 00 01 01 01 01 01 01', // ErrorRollOver
      '00 00 05 00 00 00 00 00',
      '00 00 2B 00 00 00 00 00', // Tab
    ].flatMap((r) => d.push(hex(r), at()));
    expect(scans(ev)).toEqual(['ab']);
  });

  it('GS1 FNC1 as Ctrl+] and a 9-byte report with report ID', () => {
    const d = new KeyboardReportDecoder();
    const ev = ['01 00 30 00 00 00 00 00', '00 00 1F 00 00 00 00 00', '00 00 58 00 00 00 00 00'].flatMap((r) =>
      d.push(hex(r), at()),
    );
    expect(scans(ev)).toEqual(['\x1d2']);
    const ev9 = d.push(hex('01 00 00 04 00 00 00 00 00'), at());
    expect(ev9).toEqual([]);
    expect(d.partial).toBe('a');
    expect(d.push(hex('00 00 04'), at())[0]).toMatchObject({ kind: 'error', error: { code: 'scanner.bad_report' } });
  });

  it('drops runaway input with scanner.overflow and recovers at the next terminator', () => {
    const d = new KeyboardReportDecoder({ maxLength: 3 });
    const all: ScanDecodeEvent[] = [];
    for (const r of SimulatedWedgeScanner.reportsFor('abcdef')) d.push(r, at(), all);
    for (const r of SimulatedWedgeScanner.reportsFor('ok')) d.push(r, at(), all);
    expect(all.map((e) => (e.kind === 'scan' ? e.scan.data : e.error.code))).toEqual(['scanner.overflow', 'ok']);
  });

  it('round-trips printable ASCII through the simulator reports, with and without rollover', () => {
    const text = 'https://pay.example.cn/q?o=ABC-123_x~{}|"<>';
    for (const rollover of [false, true]) {
      const d = new KeyboardReportDecoder();
      const ev = SimulatedWedgeScanner.reportsFor(text, { rollover }).flatMap((r) => d.push(r, at()));
      expect(scans(ev)).toEqual([text]);
    }
  });
});

describe('HID POS reports', () => {
  it('decodes the documented single report', () => {
    const r = new Uint8Array(64);
    r.set(hex('02 0C 5D 45 30'), 0); // ID 2, 12 bytes, "]E0"
    r.set(new TextEncoder().encode('690123456789'), 5);
    expect(new PosReportDecoder().push(r, at())).toEqual([
      { kind: 'scan', scan: { data: '690123456789', symbology: 'ean13', aim: ']E0', source: 'pos' } },
    ]);
  });

  it('joins continuation reports and decodes UTF-8', () => {
    const text = '国网电费缴纳 ' + 'x'.repeat(100);
    const reports = encodePosReports(new TextEncoder().encode(text), ']Q1');
    expect(reports.length).toBe(3);
    expect(reports.map((r) => r[63])).toEqual([1, 1, 0]);
    const d = new PosReportDecoder();
    const ev = reports.flatMap((r) => d.push(r, at()));
    expect(ev).toEqual([{ kind: 'scan', scan: { data: text, symbology: 'qr', aim: ']Q1', source: 'pos' } }]);
  });

  it('rejects bad reports with typed errors', () => {
    const d = new PosReportDecoder();
    expect(d.push(new Uint8Array(10), at())[0]).toMatchObject({ kind: 'error', error: { code: 'scanner.bad_report' } });
    const r = new Uint8Array(64);
    r[0] = 2;
    r[1] = 57;
    expect(d.push(r, at())[0]).toMatchObject({ kind: 'error', error: { code: 'scanner.bad_report' } });
  });
});

describe('a lost terminator or an unfinished multi-report scan does not glue onto the next scan', () => {
  it('wedge: ABC without Enter, then 3100000001 + Enter 500 ms later → stale, then the real scan', () => {
    const d = new KeyboardReportDecoder();
    const all: ScanDecodeEvent[] = [];
    const lost = SimulatedWedgeScanner.reportsFor('ABC').slice(0, -3); // Enter down/up and the final release lost
    let t = 1000;
    for (const r of lost) d.push(r, (t += 2), all);
    expect(d.partial).toBe('ABC');
    t += 500;
    for (const r of SimulatedWedgeScanner.reportsFor('3100000001')) d.push(r, (t += 2), all);
    expect(codes(all)).toEqual(['scanner.bad_report:stale', '3100000001']);
  });

  it('wedge: a pause within the gap keeps the scan together; the gap is configurable', () => {
    const reports = SimulatedWedgeScanner.reportsFor('AB12');
    const slow = (d: KeyboardReportDecoder, step: number): string[] => {
      const all: ScanDecodeEvent[] = [];
      reports.forEach((r, i) => d.push(r, i * step, all));
      return codes(all);
    };
    expect(slow(new KeyboardReportDecoder(), 90)).toEqual(['AB12']);
    // Each character is pressed, then its release comes 90 ms later: every one goes stale alone.
    expect(slow(new KeyboardReportDecoder({ maxGapMs: 50 }), 90)).toEqual(new Array(4).fill('scanner.bad_report:stale'));
  });

  it('POS: first of three reports, then a new scan 500 ms later → stale, then the new scan', () => {
    const d = new PosReportDecoder();
    const long = encodePosReports(new TextEncoder().encode('y'.repeat(120)), ']Q1');
    const all: ScanDecodeEvent[] = [];
    d.push(long[0] as Uint8Array, 0, all);
    for (const r of encodePosReports(new TextEncoder().encode('690123456789'), ']E0')) d.push(r, 500, all);
    expect(codes(all)).toEqual(['scanner.bad_report:stale', '690123456789']);
    const ok = new PosReportDecoder(4096, 50);
    const evs = long.flatMap((r, i) => ok.push(r, i * 40));
    expect(scans(evs)).toEqual(['y'.repeat(120)]);
  });

  it('the driver stamps reports with its clock', async () => {
    const bus = new SimulatedHidBus();
    const wedge = bus.add(new SimulatedWedgeScanner());
    let clock = 0;
    const s = await HidBarcodeScanner.open(bus.module(), wedge.info.path ?? '', { mode: 'wedge', clock: () => clock });
    const got: string[] = [];
    s.on('scan', (x) => got.push(x.data));
    s.on('error', (e) => got.push(`${e.code}:${String(e.details.reason)}`));
    for (const r of SimulatedWedgeScanner.reportsFor('ABC').slice(0, -3)) wedge.sendRaw(r);
    await new Promise((r) => setTimeout(r, 10));
    clock = 1000;
    wedge.scan('3100000001');
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual(['scanner.bad_report:stale', '3100000001']);
    await s.close();
  });
});

describe('keystroke burst detector', () => {
  const feed = (d: KeystrokeBurstDetector, keys: string[], start: number, gap: number) =>
    keys.map((k, i) => d.key(k, start + i * gap));

  it('a scanner burst ending in Enter is a scan', () => {
    const d = new KeystrokeBurstDetector();
    const res = feed(d, [...'2860123456789012', 'Enter'], 1000, 4);
    expect(res.at(-1)?.scan).toEqual({ data: '2860123456789012', source: 'keystroke' });
    expect(res.flatMap((r) => r.typed)).toEqual([]);
  });

  it('human typing is never a scan, even ending in Enter', () => {
    const d = new KeystrokeBurstDetector();
    const res = feed(d, [...'3100012345', 'Enter'], 1000, 120);
    expect(res.some((r) => r.scan)).toBe(false);
    expect(res.flatMap((r) => r.typed)).toEqual([...'3100012345', 'Enter']);
  });

  it('short fast bursts, named keys, shift and a quiet tick', () => {
    const d = new KeystrokeBurstDetector({ minLength: 4 });
    expect(feed(d, ['a', 'b', 'Enter'], 0, 5).at(-1)).toEqual({ typed: ['a', 'b', 'Enter'], pending: false });
    expect(feed(d, ['x', 'Backspace'], 100, 5).at(-1)?.typed).toEqual(['x', 'Backspace']);
    const withShift = feed(d, ['Shift', 'A', 'Shift', 'B', 'C', 'D', 'Tab'], 200, 3);
    expect(withShift.at(-1)?.scan?.data).toBe('ABCD');
    d.key('q', 500);
    expect(d.tick(510)).toEqual({ typed: [], pending: true });
    expect(d.tick(600)).toEqual({ typed: ['q'], pending: false });
  });
});

describe('scanner drivers on the simulated bus', () => {
  it('emits scans from a POS and a wedge scanner through node-hid-shaped handles', async () => {
    const bus = new SimulatedHidBus();
    const pos = bus.add(new SimulatedPosScanner());
    const wedge = bus.add(new SimulatedWedgeScanner());
    const hid = bus.module();
    const [posInfo] = await findHidDevices(hid, { ...SIM_SCANNER_IDS.pos, usagePage: 0x8c });
    const [wedgeInfo] = await findHidDevices(hid, SIM_SCANNER_IDS.wedge);
    const a = await HidBarcodeScanner.open(hid, posInfo?.path ?? '', { mode: 'pos' });
    const b = await HidBarcodeScanner.open(hid, wedgeInfo?.path ?? '', { mode: 'wedge' });
    const got: Scan[] = [];
    const gone: string[] = [];
    a.on('scan', (s) => got.push(s));
    b.on('scan', (s) => got.push(s));
    b.on('disconnected', () => gone.push('wedge'));
    pos.scan('28 1234 5678 9012 3456', ']Q1');
    wedge.scan('ACC3100012345');
    await new Promise((r) => setTimeout(r, 20));
    expect(got.map((s) => `${s.source}:${s.data}`).sort()).toEqual(['pos:28 1234 5678 9012 3456', 'wedge:ACC3100012345']);
    wedge.unplug();
    await new Promise((r) => setTimeout(r, 5));
    expect(gone).toEqual(['wedge']);
    expect((await hid.devicesAsync()).map((d) => d.path)).toEqual(['sim:scanner:pos:0']);
    await a.close();
    await b.close();
  });

  it('the synchronous HID surface works too', async () => {
    const bus = new SimulatedHidBus();
    const pos = bus.add(new SimulatedPosScanner());
    const hid = bus.module();
    expect(hid.devices()).toHaveLength(1);
    const dev = new hid.HID('sim:scanner:pos:0');
    pos.scan('X');
    const r = dev.readTimeout(10);
    expect(r.slice(0, 6)).toEqual([2, 1, 0x5d, 0x51, 0x31, 0x58]);
    dev.close();
    expect(() => new hid.HID(0x1234, 0x5678)).toThrow('No HID devices');
  });
});
