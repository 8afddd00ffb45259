/**
 * The dashboard as a file: CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese right;
 * one block per table) or XLSX (exceljs: a sheet per table). Money is numeric yuan with two
 * decimals, rates are percentages with two decimals; text a spreadsheet would run as a formula is
 * defused.
 */
import { excel } from '../report-libs.js';
import type { AgeingBucketView, ClerkKpiView, ExportedFile, RecoveryDashboardView, RecoveryRowView } from '../../contract/index.js';
import type { Translate } from '../../i18n/locales.js';
import { localDateTime } from '../clock.js';

type Cell = string | number | null;
interface Table {
  readonly title: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  /** Columns (0-based) holding yuan, and holding percentages. */
  readonly money: readonly number[];
  readonly percent: readonly number[];
}

const yuan = (fen: number): number => fen / 100;
const percent = (bp: number | null): number | null => (bp === null ? null : bp / 100);

function safeText(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

function csvCell(c: Cell, isMoney: boolean, isPercent: boolean): string {
  if (c === null) return '';
  if (typeof c === 'number') return isMoney || isPercent ? c.toFixed(2) : String(c);
  const s = safeText(c);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function keyLabel(dimension: 'period' | 'area' | 'customerClass' | 'grade', key: string, t: Translate): string {
  return dimension === 'customerClass' ? t(`account.classes.${key}`) : key;
}

function recoveryTable(title: string, dimension: 'period' | 'area' | 'customerClass' | 'grade', rows: readonly RecoveryRowView[], t: Translate): Table {
  return {
    title,
    head: [t(`recovery.dashboard.dimension.${dimension}`), ...['billed', 'collected', 'outstanding', 'rate', 'onTimeRate', 'bills', 'paidBills', 'householdRate', 'lateFees'].map((c) => t(`recovery.dashboard.column.${c}`))],
    rows: rows.map((r) => [
      r.key === 'total' ? t('recovery.dashboard.total') : keyLabel(dimension, r.key, t),
      yuan(r.billedFen),
      yuan(r.collectedFen),
      yuan(r.outstandingFen),
      percent(r.rateBp),
      percent(r.onTimeRateBp),
      r.bills,
      r.paidBills,
      percent(r.householdRateBp),
      yuan(r.lateFeeFen),
    ]),
    money: [1, 2, 3, 9],
    percent: [4, 5, 8],
  };
}

export function ageingLabel(b: AgeingBucketView, t: Translate): string {
  if (b.id === 'not_due') return t('recovery.dashboard.ageing.notDue');
  return b.toDays === null ? t('recovery.dashboard.ageing.over', { days: b.fromDays - 1 }) : t('recovery.dashboard.ageing.range', { from: b.fromDays, to: b.toDays });
}

function ageingTable(buckets: readonly AgeingBucketView[], t: Translate): Table {
  return {
    title: t('recovery.dashboard.ageing.title'),
    head: [t('recovery.dashboard.ageing.bucket'), t('recovery.dashboard.column.outstanding'), t('recovery.dashboard.column.unpaidBills')],
    rows: buckets.map((b) => [ageingLabel(b, t), yuan(b.outstandingFen), b.bills]),
    money: [1],
    percent: [],
  };
}

function clerkTable(clerks: readonly ClerkKpiView[], withinDays: number, t: Translate): Table {
  return {
    title: t('recovery.dashboard.clerks.title'),
    head: ['clerk', 'payments', 'accounts', 'amount', 'principal', 'arrears', 'lateFees', 'share', 'reversals', 'noticesSent', 'noticesPaid', 'noticeRate'].map((c) =>
      t(`recovery.dashboard.clerks.column.${c}`, { days: withinDays }),
    ),
    rows: clerks.map((c) => [
      `${c.operatorId} ${c.name}`.trim(),
      c.payments,
      c.accounts,
      yuan(c.amountFen),
      yuan(c.principalFen),
      yuan(c.arrearsRecoveredFen),
      yuan(c.lateFeeFen),
      percent(c.shareBp),
      c.reversals,
      c.notices.sent,
      c.notices.paidWithin,
      percent(c.notices.rateBp),
    ]),
    money: [3, 4, 5, 6],
    percent: [7, 11],
  };
}

function noticeTable(v: RecoveryDashboardView, t: Translate): Table {
  const n = v.notices;
  return {
    title: t('recovery.dashboard.notices.title'),
    head: ['sent', 'paidWithin', 'pending', 'rate'].map((c) => t(`recovery.dashboard.notices.${c}`, { days: n.withinDays })),
    rows: [[n.sent, n.paidWithin, n.pending, percent(n.rateBp)]],
    money: [],
    percent: [3],
  };
}

function tables(v: RecoveryDashboardView, t: Translate): Table[] {
  const out: Table[] = [];
  if (v.area !== null) {
    out.push(recoveryTable(t('recovery.dashboard.total'), 'period', [v.area.total], t));
    out.push(recoveryTable(t('recovery.dashboard.byMonth'), 'period', v.area.byMonth, t));
    out.push(recoveryTable(t('recovery.dashboard.byArea'), 'area', v.area.byArea, t));
    out.push(recoveryTable(t('recovery.dashboard.byClass'), 'customerClass', v.area.byClass, t));
    out.push(recoveryTable(t('recovery.dashboard.byGrade'), 'grade', v.area.byGrade, t));
    out.push(ageingTable(v.area.ageing, t));
  }
  out.push(noticeTable(v, t));
  out.push(clerkTable(v.clerks, v.notices.withinDays, t));
  return out;
}

function header(v: RecoveryDashboardView, t: Translate, terminalId: string, timeZone: string): string[][] {
  const rows = [
    [t('recovery.dashboard.title'), t('recovery.dashboard.periodRange', { from: v.from, to: v.to })],
    [t('recovery.dashboard.terminal'), terminalId],
    [t('recovery.dashboard.generatedAt'), localDateTime(new Date(v.generatedAt), timeZone)],
  ];
  if (v.areaUnavailable !== null) rows.push([t(v.areaUnavailable)]);
  return rows;
}

const stem = (v: RecoveryDashboardView, terminalId: string) => `recovery-${terminalId}-${v.from}_${v.to}`;

export function dashboardCsv(v: RecoveryDashboardView, t: Translate, terminalId: string, timeZone: string): ExportedFile {
  const lines: string[] = header(v, t, terminalId, timeZone).map((r) => r.map((c) => csvCell(c, false, false)).join(','));
  for (const table of tables(v, t)) {
    lines.push('', csvCell(table.title, false, false), table.head.map((h) => csvCell(h, false, false)).join(','));
    for (const row of table.rows) lines.push(row.map((c, i) => csvCell(c, table.money.includes(i), table.percent.includes(i))).join(','));
  }
  const text = `${lines.join('\r\n')}\r\n`;
  return { fileName: `${stem(v, terminalId)}.csv`, mimeType: 'text/csv; charset=utf-8', base64: Buffer.from(`\uFEFF${text}`, 'utf8').toString('base64') };
}

export async function dashboardXlsx(v: RecoveryDashboardView, t: Translate, terminalId: string, timeZone: string): Promise<ExportedFile> {
  const wb = new (await excel()).Workbook();
  wb.creator = 'GridDesk';
  wb.created = new Date(v.generatedAt);
  const summary = wb.addWorksheet(t('recovery.dashboard.sheet.summary'));
  summary.columns = [{ width: 30 }, { width: 30 }];
  for (const r of header(v, t, terminalId, timeZone)) summary.addRow(r.map(safeText));
  summary.getRow(1).font = { bold: true };
  for (const table of tables(v, t)) {
    // Sheet names: at most 31 characters, none of []:*?/\ .
    const ws = wb.addWorksheet(table.title.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31));
    ws.columns = table.head.map((h, i) => ({ header: h, width: i === 0 ? 22 : 14 }));
    ws.getRow(1).font = { bold: true };
    for (const row of table.rows) {
      const added = ws.addRow(row.map((c) => (typeof c === 'string' ? safeText(c) : c)));
      for (const i of table.money) added.getCell(i + 1).numFmt = '#,##0.00';
      for (const i of table.percent) added.getCell(i + 1).numFmt = '0.00"%"';
    }
  }
  const bytes = await wb.xlsx.writeBuffer();
  return {
    fileName: `${stem(v, terminalId)}.xlsx`,
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    base64: Buffer.from(bytes as ArrayBuffer).toString('base64'),
  };
}
