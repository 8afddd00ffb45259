/** The notice on the receipt printer (80 mm): the same document, in receipt lines. */
import type { Receipt, ReceiptLine } from '../../../kiosk-drivers/printer/receipt-model.js';
import type { NoticeDocument } from './notice-document.js';

export function noticeReceipt(doc: NoticeDocument): Receipt {
  const lines: ReceiptLine[] = [
    { kind: 'text', text: doc.header, align: 'center', bold: true },
    { kind: 'text', text: doc.title, align: 'center', bold: true, size: 2 },
    { kind: 'text', text: doc.noticeNo, align: 'center' },
    { kind: 'rule' },
    { kind: 'text', text: doc.addressee },
    ...doc.facts.map((f): ReceiptLine => ({ kind: 'pair', left: f.label, right: f.value })),
    { kind: 'rule' },
  ];
  for (const b of doc.bills) {
    lines.push({ kind: 'pair', left: `${b[0]} (${b[1]})`, right: b[3] ?? '' });
    if (b[4] && !/^¥?0\.00$/.test(b[4])) lines.push({ kind: 'pair', left: `  ${doc.billColumns[4] ?? ''}`, right: b[4] });
  }
  lines.push({ kind: 'rule' }, ...doc.totals.map((t, i): ReceiptLine => ({ kind: 'pair', left: t.label, right: t.value, bold: i === doc.totals.length - 1 })), { kind: 'rule' });
  for (const p of doc.body) lines.push({ kind: 'text', text: p });
  for (const s of doc.dateBasis) lines.push({ kind: 'text', text: `· ${s}` });
  lines.push({ kind: 'rule' });
  for (const p of doc.publicity) lines.push({ kind: 'text', text: p.heading, bold: true }, { kind: 'text', text: p.text });
  lines.push({ kind: 'rule' }, ...doc.closing.map((c): ReceiptLine => ({ kind: 'text', text: c, align: 'right' })), { kind: 'feed', lines: 3 });
  return { lines };
}
