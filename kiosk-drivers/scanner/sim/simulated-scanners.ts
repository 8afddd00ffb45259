/**
 * Simulated scanners on the simulated HID bus, emitting the reports real ones send: a keyboard
 * wedge (8-byte boot reports, press/release per character, optional rollover) and a HID POS
 * scanner (64-byte usage-page-0x8C reports with AIM identifiers).
 */
import type { Device } from 'node-hid';
import { SimulatedHidDevice } from '../../hid/sim/simulated-hid.js';
import { charToUsage, USAGE } from '../keyboard-usage.js';
import { encodePosReports } from '../pos-decoder.js';

export const SIM_SCANNER_IDS = {
  wedge: { vendorId: 0x1209, productId: 0xca01 },
  pos: { vendorId: 0x1209, productId: 0xca02 },
} as const;

export class SimulatedWedgeScanner extends SimulatedHidDevice {
  constructor(path = 'sim:scanner:wedge:0') {
    const info: Device = {
      ...SIM_SCANNER_IDS.wedge,
      path,
      manufacturer: 'GridDesk',
      product: 'Simulated Wedge Scanner',
      release: 0x0100,
      interface: 0,
      usagePage: 0x01,
      usage: 0x06,
    };
    super(info);
  }

  handleOutput(_data: Uint8Array): void {
    // Keyboard LED reports; a scanner ignores them.
  }

  /** The reports for `text` + terminator. `rollover` presses each key before releasing the last. */
  static reportsFor(text: string, opts: { terminator?: 'enter' | 'tab'; rollover?: boolean } = {}): Uint8Array[] {
    const out: Uint8Array[] = [];
    const keys: [number, number][] = [];
    for (const ch of text) {
      const k = charToUsage(ch);
      if (k) keys.push([k[0], k[1]]);
    }
    keys.push([0, opts.terminator === 'tab' ? USAGE.tab : USAGE.enter]);
    const report = (mod: number, ...usages: number[]): Uint8Array => {
      const r = new Uint8Array(8);
      r[0] = mod;
      usages.forEach((u, i) => (r[2 + i] = u));
      return r;
    };
    let prev: [number, number] | null = null;
    for (const k of keys) {
      const [mod, usage] = k;
      if (opts.rollover && prev && prev[1] !== usage) {
        out.push(report(mod, prev[1], usage)); // new key down while the previous is still held
        out.push(report(mod, usage));
      } else {
        if (prev) out.push(report(0));
        out.push(report(mod, usage));
      }
      prev = k;
    }
    out.push(report(0));
    return out;
  }

  scan(text: string, opts: { terminator?: 'enter' | 'tab'; rollover?: boolean } = {}): void {
    for (const r of SimulatedWedgeScanner.reportsFor(text, opts)) this.sendInput(r);
  }

  /** Raw reports, for fault injection. */
  sendRaw(report: Uint8Array): void {
    this.sendInput(report);
  }
}

export class SimulatedPosScanner extends SimulatedHidDevice {
  constructor(path = 'sim:scanner:pos:0') {
    const info: Device = {
      ...SIM_SCANNER_IDS.pos,
      path,
      manufacturer: 'GridDesk',
      product: 'Simulated HID POS Scanner',
      release: 0x0100,
      interface: 0,
      usagePage: 0x8c,
      usage: 0x02,
    };
    super(info);
  }

  handleOutput(_data: Uint8Array): void {
    // Output reports (beep/LED) are accepted and ignored.
  }

  scan(text: string, aim = ']Q1'): void {
    for (const r of encodePosReports(new TextEncoder().encode(text), aim)) this.sendInput(r);
  }

  sendRaw(report: Uint8Array): void {
    this.sendInput(report);
  }
}
