/**
 * The worklist as a file: CSV (UTF-8 with a BOM) or XLSX (exceljs), every matching entry in the
 * asked language, reasons spelled out. Text a spreadsheet would run as a formula is defused.
 */
import { excel } from '../report-libs.js';
import type { ExportedFile, WorklistItemView, WorklistReasonView } from '../../contract/index.js';
import { fenToYuanText, formatFen } from '../../domain/money.js';
import type { Translate } from '../../i18n/locales.js';

function safeText(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function reasonText(r: WorklistReasonView, t: Translate): string {
  switch (r.kind) {
    case 'overdue':
      return t('collection.reasonText.overdue', { amount: formatFen(r.fen), days: r.days, bills: r.bills });
    case 'due_soon_late_payer':
      return t('collection.reasonText.due_soon_late_payer', { amount: formatFen(r.fen), dueDate: r.dueDate, times: r.lateTimes });
    case 'prepaid_running_out':
      return t('collection.reasonText.prepaid_running_out', { days: r.daysLeft, balance: formatFen(r.balanceFen), kwh: r.kwhPerDay });
    case 'consumption_dropped':
      return t('collection.reasonText.consumption_dropped', { last: r.lastKwh, usual: r.usualKwh });
    case 'last_minute_buyer':
      return t('collection.reasonText.last_minute_buyer', { cutoffs: r.cutoffs });
    case 'tokens_stopped':
      return t('collection.reasonText.tokens_stopped', { months: r.months, kwh: r.lastKwh });
    case 'promise_lapsed':
      return t('collection.reasonText.promise_lapsed', { date: r.promisedOn, amount: r.promisedFen === null ? '' : formatFen(r.promisedFen) });
    case 'follow_up_due':
      return t('collection.reasonText.follow_up_due', { via: t(`collection.via.${r.via}`), date: r.lastOn, days: r.days });
    default: {
      const never: never = r;
      return String(never);
    }
  }
}

export const EXPORT_COLUMNS = ['accountNo', 'name', 'address', 'phone', 'customerClass', 'paymentMode', 'overdue', 'overdueDays', 'ageBucket', 'daysLeft', 'reasons', 'assignee'] as const;

export function bucketLabel(i: number | null, bounds: readonly number[], t: Translate): string {
  if (i === null) return '';
  const lo = i === 0 ? 1 : (bounds[i - 1] ?? 0) + 1;
  const hi = bounds[i];
  return hi === undefined ? t('collection.bucket.over', { days: lo - 1 }) : t('collection.bucket.range', { from: lo, to: hi });
}

function cells(item: WorklistItemView, bounds: readonly number[], t: Translate): Record<(typeof EXPORT_COLUMNS)[number], string> {
  return {
    accountNo: item.accountNo,
    name: item.name,
    address: item.address,
    phone: item.phone,
    customerClass: t(`collection.class.${item.customerClass}`),
    paymentMode: t(`collection.mode.${item.paymentMode}`),
    overdue: fenToYuanText(item.overdueFen),
    overdueDays: String(item.overdueDays),
    ageBucket: bucketLabel(item.ageBucket, bounds, t),
    daysLeft: item.daysLeft === null ? '' : String(item.daysLeft),
    reasons: item.reasons.map((r) => reasonText(r, t)).join('; '),
    assignee: item.assigneeName ?? item.assigneeId ?? '',
  };
}

export function worklistCsv(items: readonly WorklistItemView[], date: string, bounds: readonly number[], t: Translate): ExportedFile {
  const rows = [EXPORT_COLUMNS.map((c) => t(`collection.column.${c}`)), ...items.map((i) => EXPORT_COLUMNS.map((c) => cells(i, bounds, t)[c]))];
  const text = rows.map((r) => r.map((c) => csvCell(/^-?\d+(\.\d{2})?$/.test(c) ? c : safeText(c))).join(',')).join('\r\n') + '\r\n';
  return { fileName: `worklist-${date}.csv`, mimeType: 'text/csv; charset=utf-8', base64: Buffer.from(`\uFEFF${text}`, 'utf8').toString('base64') };
}

export async function worklistXlsx(items: readonly WorklistItemView[], date: string, bounds: readonly number[], t: Translate): Promise<ExportedFile> {
  const wb = new (await excel()).Workbook();
  wb.creator = 'GridDesk';
  const ws = wb.addWorksheet(t('collection.sheet', { date }));
  ws.columns = EXPORT_COLUMNS.map((c) => ({ header: t(`collection.column.${c}`), key: c, width: c === 'reasons' ? 70 : c === 'address' ? 30 : 14 }));
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  for (const item of items) {
    const c = cells(item, bounds, t);
    const row = ws.addRow({
      ...Object.fromEntries(Object.entries(c).map(([k, v]) => [k, safeText(v)])),
      overdue: item.overdueFen / 100,
      overdueDays: item.overdueDays,
      daysLeft: item.daysLeft ?? '',
    });
    row.getCell('overdue').numFmt = '#,##0.00';
  }
  const buf = Buffer.from(await wb.xlsx.writeBuffer());
  return { fileName: `worklist-${date}.xlsx`, mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', base64: buf.toString('base64') };
}
