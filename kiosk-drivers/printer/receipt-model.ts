/**
 * One receipt model, printed by the ESC/POS driver and previewed by the UI. Pure: no Node, DOM
 * or Electron imports, so the renderer can import it too.
 *
 * Layout happens here, not in the printer: wrapping, pair justification and rules are computed
 * in character columns, and the encoder sends exactly these lines (one LF each), so the preview
 * and the paper agree. Horizontal alignment of `text` lines is left to the printer (`ESC a`);
 * `layoutReceiptText` reproduces it with spaces.
 */

export type ReceiptLine =
  | {
      readonly kind: 'text';
      readonly text: string;
      readonly align?: 'left' | 'center' | 'right';
      readonly bold?: boolean;
      readonly size?: 1 | 2;
    }
  /** Justified across the paper width; CJK (any non-ASCII) characters count 2 columns. */
  | { readonly kind: 'pair'; readonly left: string; readonly right: string; readonly bold?: boolean }
  | { readonly kind: 'rule' }
  | { readonly kind: 'qr'; readonly data: string }
  /** CODE128 (code set B: printable ASCII). */
  | { readonly kind: 'barcode'; readonly data: string }
  | { readonly kind: 'feed'; readonly lines: number };

export interface Receipt {
  readonly lines: readonly ReceiptLine[];
  /** Font A columns per line; default 48 (80 mm paper). 58 mm printers use 32. */
  readonly columns?: number;
}

export const DEFAULT_COLUMNS = 48;
export const MIN_COLUMNS = 8;
export const MAX_COLUMNS = 255;
export const MAX_FEED_LINES = 255;

export type Align = 'left' | 'center' | 'right';

/** A physical printed line (or a 2-D code / barcode) after wrapping and justification. */
export type LaidOutLine =
  | { readonly kind: 'text'; readonly text: string; readonly align: Align; readonly bold: boolean; readonly size: 1 | 2 }
  | { readonly kind: 'qr'; readonly data: string }
  | { readonly kind: 'barcode'; readonly data: string }
  | { readonly kind: 'feed'; readonly lines: number };

/**
 * Columns one character occupies. Why not Unicode East Asian Width: in Chinese mode (`FS &`) an
 * ESC/POS printer prints every single-byte code from the 12-dot ANK font and every multi-byte
 * GB18030 code from the 24-dot Hanzi font, so `¥` (a 4-byte GB18030 code) is 2 columns wide on
 * paper even though Unicode calls it narrow.
 */
export function charColumns(codePoint: number): 1 | 2 {
  return codePoint < 0x80 ? 1 : 2;
}

export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charColumns(ch.codePointAt(0) as number);
  return w;
}

/**
 * Removes everything that would reach the printer as a control code: an account holder's name
 * containing ESC or GS must not be able to inject printer commands. Tabs become spaces, other
 * C0/C1 controls, DEL and lone surrogates become '?'.
 */
export function sanitizeText(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (cp === 0x09) out += ' ';
    else if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0) || (cp >= 0xd800 && cp <= 0xdfff)) out += '?';
    else out += ch;
  }
  return out;
}

export function receiptColumns(r: Receipt): number {
  const c = r.columns ?? DEFAULT_COLUMNS;
  if (!Number.isFinite(c)) return DEFAULT_COLUMNS;
  return Math.min(MAX_COLUMNS, Math.max(MIN_COLUMNS, Math.trunc(c)));
}

type Token = { readonly text: string; readonly width: number; readonly space: boolean };

/** Splits into ASCII words, single spaces and single non-ASCII characters (which may break anywhere). */
function tokenize(s: string): Token[] {
  const tokens: Token[] = [];
  let word = '';
  const flush = () => {
    if (word) tokens.push({ text: word, width: word.length, space: false });
    word = '';
  };
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === ' ') {
      flush();
      tokens.push({ text: ' ', width: 1, space: true });
    } else if (cp < 0x80) {
      word += ch;
    } else {
      flush();
      tokens.push({ text: ch, width: 2, space: false });
    }
  }
  flush();
  return tokens;
}

/** Greedy wrap to `width` columns, breaking ASCII at spaces when possible. Never returns []. */
export function wrapText(s: string, width: number): string[] {
  const lines: string[] = [];
  let cur = '';
  let curW = 0;
  const emit = () => {
    lines.push(cur.trimEnd());
    cur = '';
    curW = 0;
  };
  for (const tok of tokenize(s)) {
    if (tok.space) {
      if (curW === 0 && lines.length > 0) continue; // no leading space on a continuation line
      if (curW + 1 > width) emit();
      else {
        cur += ' ';
        curW += 1;
      }
      continue;
    }
    if (curW + tok.width <= width) {
      cur += tok.text;
      curW += tok.width;
      continue;
    }
    if (curW > 0) emit();
    if (tok.width <= width) {
      cur = tok.text;
      curW = tok.width;
      continue;
    }
    // A word longer than the line: hard split (only ASCII words get here; a CJK char is 2 <= width).
    for (const ch of tok.text) {
      if (curW + 1 > width) emit();
      cur += ch;
      curW += 1;
    }
  }
  if (cur.length > 0 || lines.length === 0) lines.push(cur.trimEnd());
  return lines;
}

function layoutPair(left: string, right: string, bold: boolean, columns: number): LaidOutLine[] {
  const wl = displayWidth(left);
  const wr = displayWidth(right);
  const text = (t: string): LaidOutLine => ({ kind: 'text', text: t, align: 'left', bold, size: 1 });
  if (wl + 1 + wr <= columns) return [text(left + ' '.repeat(columns - wl - wr) + right)];
  // Too wide for one line: left wrapped first, then right flush right on its own line(s).
  const out = wrapText(left, columns).map(text);
  for (const r of wrapText(right, columns)) out.push(text(' '.repeat(columns - displayWidth(r)) + r));
  return out;
}

export function layoutReceipt(r: Receipt): LaidOutLine[] {
  const columns = receiptColumns(r);
  const out: LaidOutLine[] = [];
  for (const line of r.lines) {
    switch (line.kind) {
      case 'text': {
        const size = line.size === 2 ? 2 : 1;
        const align = line.align ?? 'left';
        const bold = line.bold === true;
        const width = Math.floor(columns / size);
        for (const para of line.text.split('\n')) {
          for (const t of wrapText(sanitizeText(para), width)) out.push({ kind: 'text', text: t, align, bold, size });
        }
        break;
      }
      case 'pair':
        out.push(...layoutPair(sanitizeText(line.left), sanitizeText(line.right), line.bold === true, columns));
        break;
      case 'rule':
        out.push({ kind: 'text', text: '-'.repeat(columns), align: 'left', bold: false, size: 1 });
        break;
      case 'qr':
        out.push({ kind: 'qr', data: line.data });
        break;
      case 'barcode':
        out.push({ kind: 'barcode', data: line.data });
        break;
      case 'feed': {
        const n = Number.isFinite(line.lines) ? Math.min(MAX_FEED_LINES, Math.max(0, Math.trunc(line.lines))) : 0;
        if (n > 0) out.push({ kind: 'feed', lines: n });
        break;
      }
      default: {
        const never: never = line;
        throw new Error(`unknown receipt line ${JSON.stringify(never)}`);
      }
    }
  }
  return out;
}

/** Where an aligned line of `physicalWidth` columns starts; shared with the simulator's renderer. */
export function alignPadding(align: Align, physicalWidth: number, columns: number): number {
  if (physicalWidth >= columns) return 0;
  if (align === 'center') return Math.floor((columns - physicalWidth) / 2);
  if (align === 'right') return columns - physicalWidth;
  return 0;
}

/** Marker lines for graphics, so a plain-text preview and the simulator's decoded text agree. */
export function qrMarker(data: string): string {
  return `[QR] ${data}`;
}
export function barcodeMarker(symbology: string, data: string): string {
  return `[${symbology}] ${data}`;
}

/**
 * Plain-text lines as printed: alignment rendered with spaces (double-size text counts double
 * width), trailing spaces trimmed, QR codes and barcodes as `[QR] …` / `[CODE128] …` marker lines.
 */
export function layoutReceiptText(r: Receipt): string[] {
  const columns = receiptColumns(r);
  const out: string[] = [];
  for (const l of layoutReceipt(r)) {
    if (l.kind === 'text') {
      const pad = alignPadding(l.align, displayWidth(l.text) * l.size, columns);
      out.push((' '.repeat(pad) + l.text).trimEnd());
    } else if (l.kind === 'qr') out.push(qrMarker(l.data));
    else if (l.kind === 'barcode') out.push(barcodeMarker('CODE128', l.data));
    else for (let i = 0; i < l.lines; i++) out.push('');
  }
  return out;
}
