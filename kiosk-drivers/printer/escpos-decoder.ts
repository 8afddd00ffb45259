/**
 * A streaming ESC/POS decoder: the printer side of the protocol, used by the simulator and by
 * tests. Bytes may arrive split anywhere; commands are parsed when complete. Pure (Uint8Array,
 * TextDecoder); it never throws on input, whatever the bytes: unknown codes are logged, oversized
 * declared lengths are logged as malformed and skipped.
 *
 * It renders what a Chinese-mode 80 mm printer would put on paper as text: GB18030 text, the
 * `ESC a` alignment applied with spaces (single-byte chars 1 column, multi-byte 2, times the
 * `GS !`/`ESC !` width), QR codes and barcodes as `[QR] …` / `[CODE128] …` marker lines — the
 * same rendering as layoutReceiptText, so a round trip can be compared line for line.
 */
import { alignPadding, barcodeMarker, charColumns, DEFAULT_COLUMNS, qrMarker, type Align } from './receipt-model.js';

export interface DecodedJobData {
  /** Printed lines joined with \n; trailing blank lines (the feed before the cut) dropped. */
  readonly text: string;
  /** e.g. 'ESC @', 'FS &', 'ESC a 1', 'ESC E 1', 'GS ! 17', 'GS ( k QR "…"', 'GS k CODE128 "…"', 'GS V 0', 'DLE EOT 4'. */
  readonly commands: readonly string[];
  readonly raw: Uint8Array;
  readonly cut: boolean;
}

export interface EscPosDecoderOptions {
  readonly columns?: number;
  /**
   * Called for every `DLE EOT n` (n = 1..4) as soon as its bytes arrive, wherever they are in the
   * stream — real printers scan for real-time commands even inside other commands' data.
   */
  readonly onStatusRequest?: (n: 1 | 2 | 3 | 4) => void;
  /**
   * Called for `GS r n` (transmit status) when the decoder reaches it in the stream — unlike
   * DLE EOT it is processed in order, after everything before it, which makes it a barrier.
   */
  readonly onTransmitStatus?: (n: number) => void;
  readonly onJob?: (job: DecodedJobData) => void;
}

/** Declared parameter blocks larger than this are treated as corrupt instead of awaited. */
export const MAX_DECLARED_BLOCK = 1 << 20;

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const DLE = 0x10;

/** Fixed parameter counts of the ESC commands the decoder knows. */
const ESC_ARGS: Readonly<Record<number, number>> = {
  0x40: 0, 0x32: 0, 0x34: 0, 0x35: 0, 0x3c: 0, // @ 2 4 5 <
  0x61: 1, 0x45: 1, 0x21: 1, 0x64: 1, 0x4a: 1, 0x2d: 1, 0x4d: 1, 0x33: 1, 0x74: 1, 0x52: 1, // a E ! d J - M 3 t R
  0x20: 1, 0x47: 1, 0x56: 1, 0x7b: 1, 0x72: 1, 0x3d: 1, 0x4f: 1, 0x6c: 1, 0x51: 1, 0x55: 1, 0x65: 1, // SP G V { r = O l Q U e
  0x63: 2, 0x42: 2, 0x3f: 2, 0x24: 2, 0x5c: 2, // c B ? $ \
  0x70: 3, // p
};
const GS_ARGS: Readonly<Record<number, number>> = {
  0x21: 1, 0x68: 1, 0x77: 1, 0x48: 1, 0x66: 1, 0x42: 1, 0x61: 1, 0x72: 1, 0x49: 1, 0x62: 1, 0x2f: 1, 0x5a: 1, // ! h w H f B a r I b / Z
  0x4c: 2, 0x57: 2, 0x24: 2, 0x5c: 2, 0x50: 2, // L W $ \ P
};
const FS_ARGS: Readonly<Record<number, number>> = { 0x26: 0, 0x2e: 0, 0x21: 1, 0x2d: 1, 0x43: 1, 0x57: 1, 0x53: 2, 0x70: 2 };

const BARCODE_NAMES: Readonly<Record<number, string>> = {
  0: 'UPC-A', 1: 'UPC-E', 2: 'EAN13', 3: 'EAN8', 4: 'CODE39', 5: 'ITF', 6: 'CODABAR',
  65: 'UPC-A', 66: 'UPC-E', 67: 'EAN13', 68: 'EAN8', 69: 'CODE39', 70: 'ITF', 71: 'CODABAR', 72: 'CODE93', 73: 'CODE128',
};

function name(b: number): string {
  return b > 0x20 && b < 0x7f ? String.fromCharCode(b) : `0x${b.toString(16).padStart(2, '0')}`;
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** CODE128 data as human-readable text: `{A`/`{B`/`{C` select the code set, `{{` is a literal `{`. */
export function decodeCode128(data: Uint8Array): string {
  let out = '';
  let set = 0x42;
  for (let i = 0; i < data.length; i++) {
    const b = data[i] as number;
    if (b === 0x7b && i + 1 < data.length) {
      const c = data[i + 1] as number;
      i++;
      if (c === 0x7b) out += '{';
      else if (c === 0x41 || c === 0x42 || c === 0x43) set = c;
      continue; // FNC1..4 and shift print nothing
    }
    out += set === 0x43 ? String(b).padStart(2, '0') : String.fromCharCode(b);
  }
  return out;
}

interface Segment {
  readonly start: number;
  readonly widthMul: number;
}

export class EscPosStreamDecoder {
  readonly jobs: DecodedJobData[] = [];
  private readonly columns: number;
  private readonly opts: EscPosDecoderOptions;
  private readonly gb = new TextDecoder('gb18030');
  private readonly utf8 = new TextDecoder('utf-8');

  private pending: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private rawStart = 0;
  private scanTail: number[] = [];

  // Job under construction.
  private rawChunks: Uint8Array[] = [];
  private commands: string[] = [];
  private lines: string[] = [];
  private content = false;

  // Printer state.
  private align: Align = 'left';
  private widthMul = 1;
  private lineBytes: number[] = [];
  private segments: Segment[] = [];
  private qrData = '';

  constructor(opts: EscPosDecoderOptions = {}) {
    this.opts = opts;
    this.columns = opts.columns ?? DEFAULT_COLUMNS;
  }

  /** True once the current job has printable content or a non-real-time command. */
  get hasJobContent(): boolean {
    return this.content;
  }

  push(chunk: Uint8Array): void {
    this.scanRealtime(chunk);
    if (this.pos > this.rawStart) this.rawChunks.push(this.pending.slice(this.rawStart, this.pos));
    const rest = this.pending.subarray(this.pos);
    const next = new Uint8Array(rest.length + chunk.length);
    next.set(rest, 0);
    next.set(chunk, rest.length);
    this.pending = next;
    this.pos = 0;
    this.rawStart = 0;
    while (this.pos < this.pending.length && this.step()) {
      /* step consumes one command or byte */
    }
  }

  /** End of stream: an unfinished job (no cut yet) is emitted with cut = false. */
  end(): DecodedJobData | null {
    const left = this.pending.length - this.pos;
    if (left > 0) {
      this.log(`<truncated ${left} bytes>`);
      this.content = true;
      this.pos = this.pending.length;
    }
    if (this.lineBytes.length > 0) this.endLine();
    if (!this.content) return null;
    return this.finishJob(false);
  }

  private scanRealtime(chunk: Uint8Array): void {
    const cb = this.opts.onStatusRequest;
    const tail = this.scanTail;
    const total = tail.length + chunk.length;
    const get = (j: number): number => (j < tail.length ? (tail[j] as number) : (chunk[j - tail.length] as number));
    if (cb) {
      // j + 2 >= tail.length: only matches ending in this chunk (earlier ones were reported already).
      for (let j = Math.max(0, tail.length - 2); j + 2 < total; j++) {
        if (get(j) === DLE && get(j + 1) === 0x04) {
          const n = get(j + 2);
          if (n >= 1 && n <= 4) cb(n as 1 | 2 | 3 | 4);
        }
      }
    }
    const keep: number[] = [];
    for (let j = Math.max(0, total - 2); j < total; j++) keep.push(get(j));
    this.scanTail = keep;
  }

  private log(cmd: string, content = true): void {
    this.commands.push(cmd);
    if (content) this.content = true;
  }

  private avail(): number {
    return this.pending.length - this.pos;
  }

  private at(i: number): number {
    return this.pending[this.pos + i] as number;
  }

  /** Consumes one unit; false if the command at `pos` is incomplete. */
  private step(): boolean {
    const b = this.at(0);
    if (b === ESC) return this.stepEsc();
    if (b === GS) return this.stepGs();
    if (b === FS) return this.stepFs();
    if (b === DLE) return this.stepDle();
    this.pos++;
    if (b === 0x0a) {
      this.content = true;
      this.endLine();
    } else if (b === 0x0d) {
      this.content = true;
    } else if (b === 0x0c) {
      this.log('FF');
      this.endLine();
    } else if (b === 0x00) {
      this.log('NUL');
    } else if ((b < 0x20 && b !== 0x09) || b === 0x7f) {
      this.log(name(b));
    } else {
      this.content = true;
      const last = this.segments[this.segments.length - 1];
      if (!last || last.widthMul !== this.widthMul) this.segments.push({ start: this.lineBytes.length, widthMul: this.widthMul });
      this.lineBytes.push(b);
    }
    return true;
  }

  private fixed(prefix: string, args: number): boolean {
    if (this.avail() < 2 + args) return false;
    const params: number[] = [];
    for (let i = 0; i < args; i++) params.push(this.at(2 + i));
    this.pos += 2 + args;
    this.log([prefix, name(this.pending[this.pos - args - 1] as number), ...params.map(String)].join(' '));
    return true;
  }

  private stepEsc(): boolean {
    if (this.avail() < 2) return false;
    const c = this.at(1);
    if (c === 0x2a) return this.stepBitImage();
    const args = ESC_ARGS[c];
    if (args === undefined) {
      this.pos += 2;
      this.log(`ESC ${name(c)}`);
      return true;
    }
    if (this.avail() < 2 + args) return false;
    const p0 = args > 0 ? this.at(2) : 0;
    if (c === 0x40) {
      this.align = 'left';
      this.widthMul = 1;
    } else if (c === 0x61) {
      this.align = (['left', 'center', 'right'] as const)[p0 % 48] ?? this.align;
    } else if (c === 0x21) {
      this.widthMul = p0 & 0x20 ? 2 : 1;
    } else if (c === 0x64) {
      this.fixed('ESC', args);
      this.endLine();
      for (let i = 1; i < p0; i++) this.endLine();
      return true;
    } else if (c === 0x4a && this.lineBytes.length > 0) {
      this.fixed('ESC', args);
      this.endLine();
      return true;
    }
    return this.fixed('ESC', args);
  }

  /** ESC * m nL nH d1…dk: column bit image. */
  private stepBitImage(): boolean {
    if (this.avail() < 5) return false;
    const m = this.at(2);
    const k = (this.at(3) + this.at(4) * 256) * (m === 0 || m === 1 ? 1 : 3);
    if (this.avail() < 5 + k) return false;
    this.pos += 5 + k;
    this.log(`ESC * ${m} ${k} bytes`);
    return true;
  }

  private stepGs(): boolean {
    if (this.avail() < 2) return false;
    const c = this.at(1);
    if (c === 0x28) return this.stepGsParen();
    if (c === 0x6b) return this.stepBarcode();
    if (c === 0x76) return this.stepRaster();
    if (c === 0x56) return this.stepCut();
    if (c === 0x72) {
      if (this.avail() < 3) return false;
      const n = this.at(2);
      this.pos += 3;
      // A status request, not job content: a GS r after the cut must not open a new job.
      this.log(`GS r ${n}`, false);
      this.opts.onTransmitStatus?.(n);
      return true;
    }
    if (c === 0x2a) {
      if (this.avail() < 4) return false;
      const k = this.at(2) * this.at(3) * 8;
      if (this.avail() < 4 + k) return false;
      this.pos += 4 + k;
      this.log(`GS * ${k} bytes`);
      return true;
    }
    const args = GS_ARGS[c];
    if (args === undefined) {
      this.pos += 2;
      this.log(`GS ${name(c)}`);
      return true;
    }
    if (this.avail() < 2 + args) return false;
    if (c === 0x21) this.widthMul = ((this.at(2) >> 4) & 7) + 1;
    return this.fixed('GS', args);
  }

  private stepCut(): boolean {
    if (this.avail() < 3) return false;
    const m = this.at(2);
    const withN = m === 65 || m === 66 || m === 97 || m === 98 || m === 103 || m === 104;
    if (withN && this.avail() < 4) return false;
    const n = withN ? this.at(3) : null;
    this.pos += withN ? 4 : 3;
    this.log(n === null ? `GS V ${m}` : `GS V ${m} ${n}`);
    if (this.lineBytes.length > 0) this.endLine();
    this.finishJob(true);
    return true;
  }

  /** GS ( x pL pH …: every function of this family declares its parameter length. */
  private stepGsParen(): boolean {
    if (this.avail() < 5) return false;
    const fn = this.at(2);
    const len = this.at(3) + this.at(4) * 256;
    if (this.avail() < 5 + len) return false;
    const body = this.pending.subarray(this.pos + 5, this.pos + 5 + len);
    this.pos += 5 + len;
    if (fn !== 0x6b) {
      this.log(`GS ( ${name(fn)} ${len} bytes`);
      return true;
    }
    if (len < 2) {
      this.log(`GS ( k <malformed ${len}>`);
      return true;
    }
    const cn = body[0] as number;
    const f = body[1] as number;
    if (cn !== 49) {
      this.log(`GS ( k ${cn} ${f}`);
      return true;
    }
    const p = body[2];
    if (f === 65) this.log(`GS ( k QR model ${p ?? '?'}`);
    else if (f === 67) this.log(`GS ( k QR size ${p ?? '?'}`);
    else if (f === 69) this.log(`GS ( k QR ecc ${p ?? '?'}`);
    else if (f === 80) {
      this.qrData = this.utf8.decode(body.subarray(3));
      this.log(`GS ( k QR ${JSON.stringify(this.qrData)}`);
    } else if (f === 81) {
      this.log('GS ( k QR print');
      if (this.lineBytes.length > 0) this.endLine();
      this.lines.push(qrMarker(this.qrData));
    } else this.log(`GS ( k QR fn ${f}`);
    return true;
  }

  private stepBarcode(): boolean {
    if (this.avail() < 3) return false;
    const m = this.at(2);
    let data: Uint8Array;
    if (m <= 6) {
      const limit = Math.min(this.avail(), 3 + 256);
      let end = -1;
      for (let i = 3; i < limit; i++) {
        if (this.at(i) === 0) {
          end = i;
          break;
        }
      }
      if (end < 0) {
        if (this.avail() < 3 + 256) return false;
        this.pos += 3;
        this.log(`GS k ${m} <unterminated>`);
        return true;
      }
      data = this.pending.slice(this.pos + 3, this.pos + end);
      this.pos += end + 1;
    } else if (m >= 65 && m <= 79) {
      if (this.avail() < 4) return false;
      const n = this.at(3);
      if (this.avail() < 4 + n) return false;
      data = this.pending.slice(this.pos + 4, this.pos + 4 + n);
      this.pos += 4 + n;
    } else {
      this.pos += 3;
      this.log(`GS k ${m} <unknown>`);
      return true;
    }
    const sym = BARCODE_NAMES[m] ?? String(m);
    const text = m === 73 ? decodeCode128(data) : latin1(data);
    this.log(`GS k ${sym} ${JSON.stringify(text)}`);
    if (this.lineBytes.length > 0) this.endLine();
    this.lines.push(barcodeMarker(sym, text));
    return true;
  }

  /** GS v 0 m xL xH yL yH d1…dk: raster bit image. */
  private stepRaster(): boolean {
    if (this.avail() < 8) return false;
    const k = (this.at(4) + this.at(5) * 256) * (this.at(6) + this.at(7) * 256);
    if (k > MAX_DECLARED_BLOCK) {
      this.pos += 8;
      this.log(`GS v 0 <malformed ${k} bytes>`);
      return true;
    }
    if (this.avail() < 8 + k) return false;
    this.pos += 8 + k;
    this.log(`GS v 0 ${k} bytes`);
    return true;
  }

  private stepFs(): boolean {
    if (this.avail() < 2) return false;
    const c = this.at(1);
    const args = FS_ARGS[c];
    if (args === undefined) {
      this.pos += 2;
      this.log(`FS ${name(c)}`);
      return true;
    }
    return this.fixed('FS', args);
  }

  private stepDle(): boolean {
    if (this.avail() < 2) return false;
    const c = this.at(1);
    if (c === 0x04 || c === 0x05) {
      if (this.avail() < 3) return false;
      const n = this.at(2);
      this.pos += 3;
      this.log(`DLE ${c === 0x04 ? 'EOT' : 'ENQ'} ${n}`, false);
      return true;
    }
    if (c === 0x14) {
      if (this.avail() < 3) return false;
      const fn = this.at(2);
      const total = fn === 1 || fn === 2 ? 5 : fn === 7 ? 4 : fn === 8 ? 10 : 3;
      if (this.avail() < total) return false;
      const params = Array.from(this.pending.subarray(this.pos + 2, this.pos + total));
      this.pos += total;
      this.log(`DLE DC4 ${params.join(' ')}`, false);
      return true;
    }
    this.pos += 2;
    this.log(`DLE ${name(c)}`);
    return true;
  }

  private endLine(): void {
    let text = '';
    let width = 0;
    const bytes = Uint8Array.from(this.lineBytes);
    this.segments.forEach((seg, i) => {
      const end = this.segments[i + 1]?.start ?? bytes.length;
      const s = this.gb.decode(bytes.subarray(seg.start, end));
      text += s;
      for (const ch of s) width += charColumns(ch.codePointAt(0) as number) * seg.widthMul;
    });
    this.lines.push((' '.repeat(alignPadding(this.align, width, this.columns)) + text).trimEnd());
    this.lineBytes = [];
    this.segments = [];
  }

  private finishJob(cut: boolean): DecodedJobData {
    this.rawChunks.push(this.pending.slice(this.rawStart, this.pos));
    this.rawStart = this.pos;
    const total = this.rawChunks.reduce((n, c) => n + c.length, 0);
    const raw = new Uint8Array(total);
    let off = 0;
    for (const c of this.rawChunks) {
      raw.set(c, off);
      off += c.length;
    }
    const lines = [...this.lines];
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    const job: DecodedJobData = { text: lines.join('\n'), commands: this.commands, raw, cut };
    this.jobs.push(job);
    this.rawChunks = [];
    this.commands = [];
    this.lines = [];
    this.content = false;
    this.opts.onJob?.(job);
    return job;
  }
}
