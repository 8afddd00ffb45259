import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import { code128Data, encodeReceipt, qrCommands } from '../../../kiosk-drivers/printer/escpos-encoder.js';
import type { Receipt } from '../../../kiosk-drivers/printer/receipt-model.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const INIT = '1b40 1c26'; // ESC @, FS & (Chinese mode)
const CUT = '0a0a0a0a 1d5600'; // 4 × LF, GS V 0

function enc(lines: Receipt['lines'], columns?: number): string {
  return encodeReceipt(columns === undefined ? { lines } : { lines, columns }).toString('hex');
}
const h = (s: string) => hex(s).toString('hex');

describe('encodeReceipt: byte-exact', () => {
  it('an empty receipt is ESC @, FS &, feed, full cut', () => {
    expect(enc([])).toBe(h(`${INIT} ${CUT}`));
  });
  it('text is GB18030 followed by LF', () => {
    // 电费收据 = b5e7 b7d1 cad5 bedd, ¥ = 81308436 (4-byte GB18030), "12.50" ASCII
    expect(enc([{ kind: 'text', text: '电费收据¥12.50' }])).toBe(h(`${INIT} b5e7b7d1cad5bedd 81308436 31322e3530 0a ${CUT}`));
  });
  it('center = ESC a 1, right = ESC a 2, back to left = ESC a 0', () => {
    expect(enc([{ kind: 'text', text: 'a', align: 'center' }, { kind: 'text', text: 'b', align: 'right' }, { kind: 'text', text: 'c' }])).toBe(
      h(`${INIT} 1b6101 61 0a 1b6102 62 0a 1b6100 63 0a ${CUT}`),
    );
  });
  it('bold = ESC E 1 / ESC E 0, only when it changes', () => {
    expect(enc([{ kind: 'text', text: 'a', bold: true }, { kind: 'text', text: 'b', bold: true }, { kind: 'text', text: 'c' }])).toBe(
      h(`${INIT} 1b4501 61 0a 62 0a 1b4500 63 0a ${CUT}`),
    );
  });
  it('double size = GS ! 0x11, normal = GS ! 0x00 (bold survives)', () => {
    expect(enc([{ kind: 'text', text: 'A', bold: true, size: 2 }, { kind: 'text', text: 'b', bold: true }])).toBe(
      h(`${INIT} 1b4501 1d2111 41 0a 1d2100 62 0a ${CUT}`),
    );
  });
  it('a pair is one space-justified line; a rule is dashes over the full width', () => {
    expect(enc([{ kind: 'pair', left: 'ab', right: 'cd' }, { kind: 'rule' }], 8)).toBe(
      h(`${INIT} 6162 20202020 6364 0a 2d2d2d2d2d2d2d2d 0a ${CUT}`),
    );
  });
  it('feed n = n × LF', () => {
    expect(enc([{ kind: 'feed', lines: 3 }])).toBe(h(`${INIT} 0a0a0a ${CUT}`));
  });
  it('QR = centered native GS ( k: model 2, module 6, ECC M, store (pL pH = len + 3), print', () => {
    expect(enc([{ kind: 'qr', data: 'AB' }])).toBe(
      h(`${INIT} 1b6101
         1d286b 0400 3141 3200
         1d286b 0300 3143 06
         1d286b 0300 3145 31
         1d286b 0500 3150 30 4142
         1d286b 0300 3151 30
         ${CUT}`),
    );
  });
  it('QR data is UTF-8 and its length is counted in bytes', () => {
    const b = qrCommands('发票', 6); // 6 UTF-8 bytes → pL = 9
    expect(b.subarray(25, 33).toString('hex')).toBe(h('1d286b 0900 3150 30'));
    expect(b.subarray(33, 39).toString('utf8')).toBe('发票');
  });
  it('CODE128 = centered GS h 80, GS w 2, GS f 0, GS H 2, GS k 73 n {B data, with { doubled', () => {
    expect(enc([{ kind: 'barcode', data: 'A{1' }])).toBe(
      h(`${INIT} 1b6101 1d6850 1d7702 1d6600 1d4802 1d6b49 06 7b42 417b7b31 ${CUT}`),
    );
    expect(code128Data('x').toString('hex')).toBe(h('03 7b42 78'));
  });
  it('control characters in text never reach the printer', () => {
    const bytes = encodeReceipt({ lines: [{ kind: 'text', text: 'x\x1d\x56\x00y' }] });
    expect(bytes.toString('hex')).toBe(h(`${INIT} 78 3f 56 3f 79 0a ${CUT}`));
  });
});

describe('encodeReceipt: invalid content', () => {
  const code = (r: Receipt): string | undefined => {
    try {
      encodeReceipt(r);
    } catch (e) {
      if (e instanceof DeviceError) return `${e.code}:${String(e.details.reason)}`;
      throw e;
    }
    return undefined;
  };
  it('rejects barcodes outside CODE128 set B, empty or too long', () => {
    expect(code({ lines: [{ kind: 'barcode', data: '收据' }] })).toBe('printer.invalid_receipt:barcode_charset');
    expect(code({ lines: [{ kind: 'barcode', data: '' }] })).toBe('printer.invalid_receipt:barcode_empty');
    expect(code({ lines: [{ kind: 'barcode', data: 'x'.repeat(253) }] })).toBe(undefined);
    expect(code({ lines: [{ kind: 'barcode', data: 'x'.repeat(254) }] })).toBe('printer.invalid_receipt:barcode_too_long');
  });
  it('rejects empty and over-capacity QR data', () => {
    expect(code({ lines: [{ kind: 'qr', data: '' }] })).toBe('printer.invalid_receipt:qr_empty');
    expect(code({ lines: [{ kind: 'qr', data: 'x'.repeat(2331) }] })).toBe(undefined);
    expect(code({ lines: [{ kind: 'qr', data: 'x'.repeat(2332) }] })).toBe('printer.invalid_receipt:qr_too_long');
  });
});
