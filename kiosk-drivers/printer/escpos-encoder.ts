/**
 * Receipt → ESC/POS bytes, deterministic and byte-exact. Command encoding goes through the
 * `escpos` package's Printer (GB18030 text via iconv-lite, alignment, feed, cut) and its command
 * table, writing into an in-memory adapter. Only `escpos/printer` and `escpos/commands` are
 * loaded: the package index pulls in its USB/Serial adapters, which are broken with today's
 * `usb`/`serialport` (see TOOLCHAIN). Node tier (escpos needs Buffer); the layout it follows
 * (receipt-model.ts) is pure.
 *
 * Written by hand, with the reason at each place: Chinese mode (`FS &`), the native QR code
 * (`GS ( k`), the CODE128 data block, bold and double size (escpos's helpers emit extra,
 * state-clobbering commands).
 */
import { createRequire } from 'node:module';
import type { Adapter, Printer as EscPosPrinter, command as EscPosCommands } from 'escpos';
import { DeviceError } from '../errors.js';
import { layoutReceipt, type Align, type LaidOutLine, type Receipt } from './receipt-model.js';

const require = createRequire(import.meta.url);
const PrinterCtor = require('escpos/printer') as typeof EscPosPrinter;
const CMD = require('escpos/commands') as typeof EscPosCommands;

/** Per-model settings; the defaults suit common 80 mm Chinese and Epson printers. */
export interface EscPosProfile {
  /** Send `FS &` after `ESC @` (many Chinese printers start in Chinese mode, but not all). */
  readonly chineseMode: boolean;
  /** Lines fed before the cut so the last line clears the cutter. */
  readonly feedBeforeCut: number;
  /** QR module size in dots, 1..16. */
  readonly qrModuleSize: number;
  /** Barcode height in dots, 1..127 (escpos writes it as a UTF-8 char, so keep it below 0x80). */
  readonly barcodeHeight: number;
}

export const DEFAULT_PROFILE: EscPosProfile = { chineseMode: true, feedBeforeCut: 4, qrModuleSize: 6, barcodeHeight: 80 };

/** QR byte-mode capacity at error correction level M (version 40). */
export const QR_MAX_BYTES = 2331;
/** `GS k 73 n`: n counts the `{B` code set prefix and the doubled `{`. */
export const CODE128_MAX_N = 255;

const QR_ECC_M = 49;

/** The in-memory adapter escpos's Printer writes to on flush(). */
class BufferAdapter implements Adapter {
  readonly chunks: Buffer[] = [];
  open(): Adapter {
    return this;
  }
  write(data: Buffer, callback?: (error?: Error) => void): Adapter {
    this.chunks.push(Buffer.from(data));
    callback?.();
    return this;
  }
  close(callback?: () => void): Adapter {
    callback?.();
    return this;
  }
  take(): Buffer {
    const b = Buffer.concat(this.chunks);
    this.chunks.length = 0;
    return b;
  }
}

const ALIGN_ARG = { left: 'LT', center: 'CT', right: 'RT' } as const satisfies Record<Align, 'LT' | 'CT' | 'RT'>;

/** `FS &`: select Chinese (Kanji) character mode, so multi-byte GB18030 codes print as Hanzi. */
export const FS_CHINESE_ON = Uint8Array.of(0x1c, 0x26);

/**
 * Native QR (Epson function 165/167/169/180/181). escpos's `qrcode()` emits `GS Z` + `ESC Z`
 * (a different, non-Epson 2-D command) and counts characters instead of bytes, so it is built here.
 */
export function qrCommands(data: string, moduleSize: number): Buffer {
  const bytes = Buffer.from(data, 'utf8');
  const k = bytes.length + 3;
  return Buffer.concat([
    Buffer.from([0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]), // model 2
    Buffer.from([0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, moduleSize]), // module size
    Buffer.from([0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, QR_ECC_M]), // error correction M
    Buffer.from([0x1d, 0x28, 0x6b, k & 0xff, k >> 8, 0x31, 0x50, 0x30]), // store data
    bytes,
    Buffer.from([0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30]), // print symbol
  ]);
}

/**
 * The data block of `GS k 73` (CODE128), code set B. escpos's `barcode()` derives the length
 * byte by hex-parsing the length (empty for 1..15 characters, UTF-8-mangled above 127), omits the
 * mandatory `{B` code set selector and appends a NUL that function B does not take.
 */
export function code128Data(data: string): Buffer {
  const escaped = data.replaceAll('{', '{{');
  const body = Buffer.from('{B' + escaped, 'latin1');
  return Buffer.concat([Buffer.from([body.length]), body]);
}

function invalid(reason: string, extra: Record<string, string | number> = {}): DeviceError {
  return new DeviceError('printer.invalid_receipt', { reason, ...extra });
}

function validateLine(l: LaidOutLine): void {
  if (l.kind === 'qr') {
    const n = Buffer.byteLength(l.data, 'utf8');
    if (n === 0) throw invalid('qr_empty');
    if (n > QR_MAX_BYTES) throw invalid('qr_too_long', { bytes: n, max: QR_MAX_BYTES });
  } else if (l.kind === 'barcode') {
    if (l.data.length === 0) throw invalid('barcode_empty');
    if (!/^[\x20-\x7e]+$/.test(l.data)) throw invalid('barcode_charset');
    const n = 2 + l.data.length + (l.data.match(/\{/g)?.length ?? 0);
    if (n > CODE128_MAX_N) throw invalid('barcode_too_long', { length: l.data.length });
  }
}

/**
 * Encodes a receipt as one print job: `ESC @`, `FS &`, the laid-out lines (state commands only
 * when the state changes), a feed and a full cut (`GS V 0`). Throws DeviceError
 * `printer.invalid_receipt` before producing anything if a QR code or barcode cannot be encoded.
 */
export function encodeReceipt(receipt: Receipt, profile: EscPosProfile = DEFAULT_PROFILE): Buffer {
  const lines = layoutReceipt(receipt);
  for (const l of lines) validateLine(l);

  const adapter = new BufferAdapter();
  const p = new PrinterCtor(adapter, { encoding: 'GB18030' });
  p.hardware('init');
  if (profile.chineseMode) p.print(Buffer.from(FS_CHINESE_ON));

  // State after ESC @: left, not bold, normal size.
  let align: Align = 'left';
  let bold = false;
  let size: 1 | 2 = 1;
  const setAlign = (a: Align) => {
    if (a !== align) p.align(ALIGN_ARG[a]);
    align = a;
  };

  for (const l of lines) {
    switch (l.kind) {
      case 'text':
        setAlign(l.align);
        if (l.bold !== bold) {
          // Not p.style('B'): it also sends ESC 4/ESC 5 (Star italic codes that Epson lacks) and ESC - 0.
          p.print(l.bold ? CMD.TEXT_FORMAT.TXT_BOLD_ON : CMD.TEXT_FORMAT.TXT_BOLD_OFF);
          bold = l.bold;
        }
        if (l.size !== size) {
          // Not p.size(2, 2): it sends ESC ! 0 first, which also cancels bold. GS ! leaves bold alone.
          p.print(CMD.TEXT_FORMAT.TXT_CUSTOM_SIZE(l.size, l.size) as string);
          size = l.size;
        }
        p.text(l.text);
        break;
      case 'qr':
        setAlign('center');
        p.print(qrCommands(l.data, profile.qrModuleSize));
        break;
      case 'barcode':
        setAlign('center');
        p.print(CMD.BARCODE_FORMAT.BARCODE_HEIGHT(profile.barcodeHeight) as string);
        p.print(CMD.BARCODE_FORMAT.BARCODE_WIDTH[1]); // escpos's table is off by one: key 1 is `GS w 2`
        p.print(CMD.BARCODE_FORMAT.BARCODE_FONT_A);
        p.print(CMD.BARCODE_FORMAT.BARCODE_TXT_BLW);
        p.print(CMD.BARCODE_FORMAT.BARCODE_CODE128);
        p.print(code128Data(l.data));
        break;
      case 'feed':
        p.feed(l.lines);
        break;
      default: {
        const never: never = l;
        throw new Error(`unknown laid-out line ${JSON.stringify(never)}`);
      }
    }
  }
  p.cut(false, profile.feedBeforeCut);
  p.flush();
  return adapter.take();
}
