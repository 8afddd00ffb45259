/**
 * The A4 notice as a PDF (pdfkit), laid out from the notice document. Chinese needs a font with
 * its glyphs embedded: the first of the configured fonts that exists is used (Debian's
 * fonts-wqy-microhei here; a packaged build names its bundled font in config), subset by pdfkit so
 * a notice is tens of kilobytes, and its text stays extractable (ToUnicode).
 */
import { existsSync } from 'node:fs';
import { pdfDocument } from '../report-libs.js';
import { AppError } from '../../contract/index.js';
import type { NoticeDocument } from './notice-document.js';

export interface NoticeFont {
  readonly path: string;
  /** The face inside a collection (.ttc), by PostScript name. */
  readonly family?: string;
}

const MARGIN = 56;

export async function noticePdf(doc: NoticeDocument, fonts: readonly NoticeFont[], createdAt: Date): Promise<Buffer> {
  const font = fonts.find((f) => existsSync(f.path));
  if (!font) throw new AppError('collection.pdf_font_missing', { tried: fonts.map((f) => f.path).join(', ') });
  const PDFDocument = await pdfDocument();
  const pdf = new PDFDocument({ size: 'A4', margin: MARGIN, info: { Title: `${doc.title} ${doc.noticeNo}`, Author: doc.header, CreationDate: createdAt } });
  pdf.registerFont('body', font.path, font.family ?? '');
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (c: Buffer) => chunks.push(c));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  const width = pdf.page.width - 2 * MARGIN;

  pdf.font('body').fontSize(10).fillColor('#444').text(doc.header, { align: 'left' });
  pdf.text(doc.noticeNo, MARGIN, MARGIN, { align: 'right' });
  pdf.moveDown(1.2).fillColor('#000').fontSize(22).text(doc.title, MARGIN, undefined, { align: 'center', width });
  pdf.moveDown(0.8).fontSize(12).text(doc.addressee);
  pdf.moveDown(0.4);
  for (const f of doc.facts) pdf.fontSize(11).text(`${f.label}${doc.colon}${f.value}`);

  // The bills table: fixed columns, right-aligned figures.
  pdf.moveDown(0.6);
  const cols = [0.2, 0.22, 0.16, 0.21, 0.21].map((w) => w * width);
  const row = (cells: readonly string[], bold: boolean) => {
    const y = pdf.y;
    let x = MARGIN;
    cells.forEach((c, i) => {
      pdf.fontSize(bold ? 10.5 : 10).text(c, x + 2, y, { width: (cols[i] ?? 60) - 4, align: i >= 2 ? 'right' : 'left', lineBreak: false });
      x += cols[i] ?? 60;
    });
    pdf.y = y + 16;
    pdf.moveTo(MARGIN, pdf.y - 2).lineTo(MARGIN + width, pdf.y - 2).strokeColor(bold ? '#000' : '#bbb').lineWidth(0.5).stroke();
  };
  row(doc.billColumns, true);
  for (const b of doc.bills) row(b, false);
  pdf.x = MARGIN;
  pdf.moveDown(0.3);
  for (const t of doc.totals) pdf.fontSize(11).text(`${t.label}${doc.colon}${t.value}`, MARGIN, undefined, { align: 'right', width });

  pdf.moveDown(0.8);
  // Left-aligned: justifying mixed Chinese and figures stretches the spaces around the figures.
  for (const p of doc.body) pdf.fontSize(12).text(p, MARGIN, undefined, { width, align: 'left' }).moveDown(0.4);
  if (doc.dateBasis.length > 0) {
    pdf.moveDown(0.2).fontSize(9.5).fillColor('#333');
    for (const s of doc.dateBasis) pdf.text(`· ${s}`, { width });
    pdf.fillColor('#000');
  }

  pdf.moveDown(0.8);
  const boxTop = pdf.y;
  for (const p of doc.publicity) {
    pdf.fontSize(10.5).text(p.heading, MARGIN + 8, undefined, { width: width - 16 });
    pdf.fontSize(9).fillColor('#222').text(p.text, { width: width - 16, align: 'justify' }).fillColor('#000').moveDown(0.4);
  }
  pdf.rect(MARGIN, boxTop - 6, width, pdf.y - boxTop + 6).strokeColor('#888').lineWidth(0.8).stroke();

  pdf.moveDown(1);
  for (const c of doc.closing) pdf.fontSize(11).text(c, MARGIN, undefined, { width, align: 'right' });
  pdf.end();
  return done;
}
