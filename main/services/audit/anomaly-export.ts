/**
 * The anomaly report as a file: CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese)
 * or XLSX (exceljs: per-clerk summary and every anomaly). Text a spreadsheet would run as a
 * formula is defused; money is numeric yuan.
 */
import { excel } from '../report-libs.js';
import { ANOMALY_KIND_NAMES, type AnomalyView, type ExportedFile } from '../../contract/index.js';
import { fenToYuanText } from '../../domain/money.js';
import type { Translate } from '../../i18n/locales.js';
import { localDateTime } from '../clock.js';
import type { anomalyReport } from './anomaly-report.js';

type Report = ReturnType<typeof anomalyReport>;

const COLUMNS = ['at', 'kind', 'actor', 'approver', 'accountNo', 'amount', 'type', 'ref', 'seq'] as const;

function safeText(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function cells(a: AnomalyView, t: Translate, timeZone: string): Record<(typeof COLUMNS)[number], string> {
  return {
    at: localDateTime(new Date(a.at), timeZone),
    kind: t(`audit.kind.${a.kind}`),
    actor: a.actor,
    approver: a.approver ?? '',
    accountNo: a.accountNo ?? '',
    amount: a.fen === null ? (a.count === null ? '' : String(a.count)) : fenToYuanText(a.fen),
    type: a.type,
    ref: a.ref,
    seq: String(a.seq),
  };
}

const stem = (r: Report, terminalId: string) => `anomalies-${terminalId}-${r.from}_${r.to}`;

export function anomalyCsv(r: Report, t: Translate, terminalId: string, timeZone: string): ExportedFile {
  const rows: string[][] = [
    [t('audit.report.title'), `${r.from} – ${r.to}`],
    [t('audit.report.terminal'), terminalId],
    [],
    [t('audit.report.clerk'), ...ANOMALY_KIND_NAMES.map((k) => t(`audit.kind.${k}`)), t('audit.report.total')],
    ...r.byClerk.map((c) => [c.actor, ...ANOMALY_KIND_NAMES.map((k) => String(c.counts[k] ?? 0)), String(c.total)]),
    [],
    COLUMNS.map((c) => t(`audit.column.${c}`)),
    ...r.all.map((a) => {
      const c = cells(a, t, timeZone);
      return COLUMNS.map((k) => c[k]);
    }),
  ];
  const text = rows.map((row) => row.map((c) => csvCell(/^-?\d+(\.\d{2})?$/.test(c) ? c : safeText(c))).join(',')).join('\r\n') + '\r\n';
  return { fileName: `${stem(r, terminalId)}.csv`, mimeType: 'text/csv; charset=utf-8', base64: Buffer.from(`\uFEFF${text}`, 'utf8').toString('base64') };
}

export async function anomalyXlsx(r: Report, t: Translate, terminalId: string, timeZone: string): Promise<ExportedFile> {
  const wb = new (await excel()).Workbook();
  wb.creator = 'GridDesk';
  const summary = wb.addWorksheet(t('audit.report.sheet.summary'));
  summary.addRow([t('audit.report.title'), `${r.from} – ${r.to}`]).font = { bold: true };
  summary.addRow([t('audit.report.terminal'), terminalId]);
  summary.addRow([]);
  summary.addRow([t('audit.report.clerk'), ...ANOMALY_KIND_NAMES.map((k) => t(`audit.kind.${k}`)), t('audit.report.total')]).font = { bold: true };
  for (const c of r.byClerk) summary.addRow([safeText(c.actor), ...ANOMALY_KIND_NAMES.map((k) => c.counts[k] ?? 0), c.total]);
  summary.getColumn(1).width = 16;

  const list = wb.addWorksheet(t('audit.report.sheet.anomalies'));
  list.columns = COLUMNS.map((c) => ({ header: t(`audit.column.${c}`), key: c, width: c === 'ref' ? 40 : c === 'at' ? 22 : 16 }));
  list.getRow(1).font = { bold: true };
  for (const a of r.all) {
    const c = cells(a, t, timeZone);
    const row = list.addRow({ ...Object.fromEntries(COLUMNS.map((k) => [k, safeText(c[k])])), amount: a.fen === null ? (a.count ?? null) : a.fen / 100, seq: a.seq });
    if (a.fen !== null) row.getCell('amount').numFmt = '#,##0.00';
  }
  const buf = Buffer.from(await wb.xlsx.writeBuffer());
  return { fileName: `${stem(r, terminalId)}.xlsx`, mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', base64: buf.toString('base64') };
}
