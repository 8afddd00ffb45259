import { describe, expect, it } from 'vitest';
import { decodeCode128, EscPosStreamDecoder } from '../../../kiosk-drivers/printer/escpos-decoder.js';
import { encodeReceipt } from '../../../kiosk-drivers/printer/escpos-encoder.js';
import { layoutReceiptText, type Receipt } from '../../../kiosk-drivers/printer/receipt-model.js';

const bytes = (...parts: (number[] | string)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? Array.from(Buffer.from(p, 'latin1')) : p)));

const receipt: Receipt = {
  lines: [
    { kind: 'text', text: '国网电力 电费收据', align: 'center', bold: true, size: 2 },
    { kind: 'pair', left: '户号', right: '0012345678' },
    { kind: 'pair', left: '金额', right: '¥12.50', bold: true },
    { kind: 'rule' },
    { kind: 'qr', data: 'https://inv.example.cn/q?id=7&s={x}' },
    { kind: 'barcode', data: 'PAY{2026}-0001' },
    { kind: 'feed', lines: 1 },
    { kind: 'text', text: '谢谢惠顾 Thank you', align: 'right' },
  ],
};

describe('EscPosStreamDecoder', () => {
  it('decodes an encoded receipt back to the layout text, commands and raw bytes', () => {
    const encoded = encodeReceipt(receipt);
    const d = new EscPosStreamDecoder();
    d.push(encoded);
    expect(d.jobs).toHaveLength(1);
    const job = d.jobs[0]!;
    expect(job.cut).toBe(true);
    expect(job.text).toBe(layoutReceiptText(receipt).join('\n'));
    expect(Buffer.from(job.raw).equals(encoded)).toBe(true);
    expect(job.commands).toEqual([
      'ESC @', 'FS &', 'ESC a 1', 'ESC E 1', 'GS ! 17', 'ESC a 0', 'ESC E 0', 'GS ! 0', 'ESC E 1', 'ESC E 0',
      'ESC a 1', 'GS ( k QR model 50', 'GS ( k QR size 6', 'GS ( k QR ecc 49', 'GS ( k QR "https://inv.example.cn/q?id=7&s={x}"', 'GS ( k QR print',
      'GS h 80', 'GS w 2', 'GS f 0', 'GS H 2', 'GS k CODE128 "PAY{2026}-0001"', 'ESC a 2', 'GS V 0',
    ]);
  });

  it('gives the same result whatever the chunking', () => {
    const encoded = encodeReceipt(receipt);
    const whole = new EscPosStreamDecoder();
    whole.push(encoded);
    for (const size of [1, 2, 3, 7, 64]) {
      const d = new EscPosStreamDecoder();
      for (let i = 0; i < encoded.length; i += size) d.push(encoded.subarray(i, i + size));
      expect(d.jobs).toEqual(whole.jobs);
    }
  });

  it('reports DLE EOT n as soon as it arrives, even split across chunks or inside command data', () => {
    const seen: number[] = [];
    const d = new EscPosStreamDecoder({ onStatusRequest: (n) => seen.push(n) });
    d.push(bytes([0x10, 0x04, 0x01, 0x10]));
    d.push(bytes([0x04]));
    d.push(bytes([0x02, 0x10, 0x04, 0x09])); // n = 9 is not a status function
    // inside the data of a QR store command, as on a real printer
    d.push(bytes([0x1d, 0x28, 0x6b, 0x06, 0x00, 0x31, 0x50, 0x30, 0x10, 0x04, 0x04]));
    expect(seen).toEqual([1, 2, 4]);
    expect(d.jobs).toEqual([]);
  });

  it('ends a job at GS V; status queries alone are not a job', () => {
    const d = new EscPosStreamDecoder();
    d.push(bytes([0x10, 0x04, 0x01], 'hi\n', [0x1d, 0x56, 0x41, 0x03], [0x10, 0x04, 0x04]));
    expect(d.jobs).toHaveLength(1);
    expect(d.jobs[0]).toMatchObject({ text: 'hi', commands: ['DLE EOT 1', 'GS V 65 3'], cut: true });
    expect(d.end()).toBeNull();
  });

  it('records an unfinished job at end of stream with cut = false', () => {
    const d = new EscPosStreamDecoder();
    d.push(bytes([0x1b, 0x40], 'first\nsecond', [0x1d, 0x28]));
    const job = d.end();
    expect(job).toMatchObject({ text: 'first\nsecond', cut: false });
    expect(job?.commands).toEqual(['ESC @', '<truncated 2 bytes>']);
  });

  it('applies ESC ! double width and ESC d feeds; logs unknown codes instead of failing', () => {
    const d = new EscPosStreamDecoder({ columns: 10 });
    d.push(bytes([0x1b, 0x61, 0x31, 0x1b, 0x21, 0x20], 'ab', [0x1b, 0x64, 0x02, 0x07, 0x1b, 0xff, 0x1d, 0xfe, 0x1c, 0x99, 0x10, 0x77, 0x00, 0x1d, 0x56, 0x00]));
    expect(d.jobs[0]?.text).toBe('   ab'); // width 2 × 2 = 4 of 10 → pad 3; ESC d 2 = the line + 1 blank (trailing, dropped)
    expect(d.jobs[0]?.commands).toEqual(['ESC a 49', 'ESC ! 32', 'ESC d 2', '0x07', 'ESC 0xff', 'GS 0xfe', 'FS 0x99', 'DLE w', 'NUL', 'GS V 0']);
  });

  it('decodes NUL-terminated barcodes and skips oversized raster images', () => {
    const d = new EscPosStreamDecoder();
    d.push(bytes([0x1d, 0x6b, 0x04], 'AB12', [0x00]));
    d.push(bytes([0x1d, 0x76, 0x30, 0x00, 0xff, 0xff, 0xff, 0xff], 'x\n'));
    const job = d.end();
    expect(job?.commands).toEqual(['GS k CODE39 "AB12"', 'GS v 0 <malformed 4294836225 bytes>']);
    expect(job?.text).toBe('[CODE39] AB12\nx');
  });
});

describe('decodeCode128', () => {
  it('handles code sets and the escaped brace', () => {
    expect(decodeCode128(bytes('{BA{{1'))).toBe('A{1');
    expect(decodeCode128(bytes('{C', [12, 3, 99]))).toBe('120399');
    expect(decodeCode128(bytes('{B', 'x{1y'))).toBe('xy'); // FNC1 prints nothing
  });
});
