/**
 * The reconciliation as a file: CSV (UTF-8 with a BOM so spreadsheet programs read the Chinese
 * right) or XLSX (exceljs: a summary sheet, the differences, the shifts). Text cells that a
 * spreadsheet would run as a formula are defused; money is numeric yuan with two decimals.
 */
import { excel } from '../report-libs.js';
import type { ExportedFile, ReconciliationView } from '../../contract/index.js';
import { fenToYuanText } from '../../domain/money.js';
import type { Translate } from '../../i18n/locales.js';
import { localDateTime } from '../clock.js';
import { DIFFERENCE_COLUMNS, differenceRows, periodLabel, summaryRows } from './reconciliation-report.js';

/** A leading =, +, -, @, tab or CR makes a spreadsheet cell a formula: prefix it with a quote. */
function safeText(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function fileStem(v: ReconciliationView, terminalId: string): string {
  return `reconciliation-${terminalId}-${v.period.kind === 'day' ? v.period.date : `shift-${v.period.shiftId.slice(0, 8)}`}`;
}

export function reconciliationCsv(v: ReconciliationView, t: Translate, terminalId: string, timeZone: string): ExportedFile {
  const rows: string[][] = [
    [t('shift.recon.title'), periodLabel(v, t)],
    [t('shift.report.terminal'), terminalId],
    [t('shift.recon.generatedAt'), localDateTime(new Date(v.generatedAt), timeZone)],
    [],
    ...summaryRows(v, t).map((r) => [r.label, r.fen === null ? r.value : fenToYuanText(r.fen)]),
    [],
    DIFFERENCE_COLUMNS.map((c) => t(`shift.recon.column.${c}`)),
    ...differenceRows(v, t).map((d) => DIFFERENCE_COLUMNS.map((c) => (c === 'amount' ? d.cells.amount : d.cells[c]))),
  ];
  const text = rows.map((r) => r.map((c, i) => csvCell(i === 0 || !/^-?\d+\.\d{2}$/.test(c) ? safeText(c) : c)).join(',')).join('\r\n') + '\r\n';
  return { fileName: `${fileStem(v, terminalId)}.csv`, mimeType: 'text/csv; charset=utf-8', base64: Buffer.from(`\uFEFF${text}`, 'utf8').toString('base64') };
}

export async function reconciliationXlsx(v: ReconciliationView, t: Translate, terminalId: string, timeZone: string): Promise<ExportedFile> {
  const wb = new (await excel()).Workbook();
  wb.creator = 'GridDesk';
  wb.created = new Date(v.generatedAt);
  const money = '#,##0.00';

  const summary = wb.addWorksheet(t('shift.recon.sheet.summary'));
  summary.columns = [{ width: 34 }, { width: 28 }];
  summary.addRow([t('shift.recon.title'), periodLabel(v, t)]).font = { bold: true };
  summary.addRow([t('shift.report.terminal'), terminalId]);
  summary.addRow([t('shift.recon.generatedAt'), localDateTime(new Date(v.generatedAt), timeZone)]);
  summary.addRow([]);
  for (const r of summaryRows(v, t)) {
    const row = summary.addRow([r.label, r.fen === null ? safeText(r.value) : r.fen / 100]);
    if (r.fen !== null) row.getCell(2).numFmt = money;
  }

  const diffs = wb.addWorksheet(t('shift.recon.sheet.differences'));
  diffs.columns = DIFFERENCE_COLUMNS.map((c) => ({ header: t(`shift.recon.column.${c}`), key: c, width: c === 'action' ? 60 : c === 'ref' ? 40 : 16 }));
  diffs.getRow(1).font = { bold: true };
  for (const d of differenceRows(v, t)) {
    const row = diffs.addRow(DIFFERENCE_COLUMNS.map((c) => (c === 'amount' ? d.amountFen / 100 : safeText(d.cells[c]))));
    row.getCell(DIFFERENCE_COLUMNS.indexOf('amount') + 1).numFmt = money;
  }

  const shifts = wb.addWorksheet(t('shift.recon.sheet.shifts'));
  const heads = ['shiftNo', 'clerk', 'opened', 'closed', 'float', 'expected', 'counted', 'difference', 'approvedBy'] as const;
  shifts.columns = heads.map((h) => ({ header: t(`shift.recon.shiftColumn.${h}`), key: h, width: h === 'shiftNo' ? 40 : 18 }));
  shifts.getRow(1).font = { bold: true };
  for (const s of v.shifts) {
    const row = shifts.addRow([
      s.shiftId,
      `${s.operatorId} ${s.operatorName}`,
      localDateTime(new Date(s.openedAt), timeZone),
      s.closedAt ? localDateTime(new Date(s.closedAt), timeZone) : '',
      s.floatFen / 100,
      s.expectedFen === null ? null : s.expectedFen / 100,
      s.countedFen === null ? null : s.countedFen / 100,
      s.differenceFen === null ? null : s.differenceFen / 100,
      s.approvedBy ?? '',
    ]);
    for (const c of [5, 6, 7, 8]) row.getCell(c).numFmt = money;
  }

  const bytes = await wb.xlsx.writeBuffer();
  return {
    fileName: `${fileStem(v, terminalId)}.xlsx`,
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    base64: Buffer.from(bytes as ArrayBuffer).toString('base64'),
  };
}
