/**
 * Reads the worked hex examples out of the device documents, so the byte-exact tests check the
 * document itself: an edit to the doc that disagrees with the code fails a test.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DOCS = fileURLToPath(new URL('../../../docs/devices/', import.meta.url));

export function readDoc(name: string): string {
  return readFileSync(DOCS + name, 'utf8');
}

export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
export const toHex = (b: Uint8Array): string =>
  Buffer.from(b)
    .toString('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1 ');

/** `| id | what | \`hex\` |` rows of a markdown table, by id. */
export function exampleTable(doc: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const m of doc.matchAll(/^\| ([a-z][a-z0-9-]*) \| [^|\n]+ \| `([0-9A-F ]+)` \|$/gm)) {
    const [, id, bytes] = m;
    if (id === undefined || bytes === undefined) continue;
    if (rows.has(id)) throw new Error(`example id ${id} appears twice`);
    rows.set(id, bytes);
  }
  return rows;
}

/** Expands `0A 0B … 0F` (a run of consecutive bytes) the way the documents abbreviate. */
export function expandRuns(text: string): string {
  const tokens = text.trim().split(/\s+/);
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as string;
    if (t !== '…') {
      out.push(t);
      continue;
    }
    const from = parseInt(out.at(-1) ?? '', 16);
    const to = parseInt(tokens[i + 1] ?? '', 16);
    if (Number.isNaN(from) || Number.isNaN(to) || to <= from) throw new Error(`bad run in ${text}`);
    for (let v = from + 1; v < to; v++) out.push(v.toString(16).toUpperCase().padStart(2, '0'));
  }
  return out.join(' ');
}

/** `label: hex hex …` lines inside fenced blocks (e.g. `block 8     00 00 …`), by label. */
export function labelledHex(doc: string, pattern: RegExp): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of doc.matchAll(pattern)) {
    const [, label, bytes] = m;
    if (label !== undefined && bytes !== undefined) found.set(label.trim(), bytes.trim());
  }
  return found;
}
