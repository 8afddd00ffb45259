/**
 * X and Z reports as receipts: one receipt model, printed by the receipt printer and previewed on
 * screen (layoutReceiptText), like payment receipts. Every label comes from the locale files.
 *
 * The X report (mid-shift) shows the takings but not what the drawer should hold: the close stays
 * a blind count. The Z report (after the close) adds expected, counted by denomination, the
 * difference and who approved it, and ends with the journal head it was printed at.
 */
import type { Receipt, ReceiptLine } from '../../../kiosk-drivers/printer/receipt-model.js';
import type { ShiftView } from '../../contract/index.js';
import type { DrawerCount, ShiftTotals, Tally } from '../../domain/shift/index.js';
import { formatFen } from '../../domain/money.js';
import type { Translate } from '../../i18n/locales.js';
import type { JournalHead } from '../../store/journal.js';
import { localDateTime } from '../clock.js';

export interface ReportContext {
  readonly t: Translate;
  readonly header: string;
  readonly terminalId: string;
  readonly timeZone: string;
  readonly printedAt: Date;
  readonly journalHead: JournalHead;
  readonly name: (operatorId: string) => string;
}

/** Known methods first, in the order the hall thinks of them; any other after, by name. */
const METHOD_ORDER = ['cash', 'code', 'qr', 'card'];

function methodLines(t: Translate, tallies: Readonly<Record<string, Tally>>): ReceiptLine[] {
  const methods = Object.keys(tallies).sort((a, b) => {
    const ia = METHOD_ORDER.indexOf(a);
    const ib = METHOD_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  if (methods.length === 0) return [{ kind: 'pair', left: t('shift.report.none'), right: formatFen(0) }];
  return methods.map((m) => {
    const tally = tallies[m] as Tally;
    return { kind: 'pair', left: t('shift.report.methodCount', { method: t(`shift.method.${m}`), count: tally.count }), right: formatFen(tally.fen) };
  });
}

/** Money leaving the drawer, shown negative (zero stays ¥0.00). */
const minus = (fen: number) => formatFen(-fen);

export function shiftReport(kind: 'x' | 'z', shift: ShiftView, totals: ShiftTotals, ctx: ReportContext, count: DrawerCount | null): Receipt {
  const { t } = ctx;
  const at = (iso: string | null) => (iso === null ? '' : localDateTime(new Date(iso), ctx.timeZone));
  const lines: ReceiptLine[] = [
    { kind: 'text', text: ctx.header, align: 'center', bold: true },
    { kind: 'text', text: kind === 'x' ? t('shift.report.xTitle') : t('shift.report.zTitle', { no: shift.zNo ?? '' }), align: 'center', bold: true, size: 2 },
    { kind: 'text', text: kind === 'x' ? t('shift.report.xNote') : t('shift.report.zNote'), align: 'center' },
    { kind: 'rule' },
    { kind: 'pair', left: t('shift.report.terminal'), right: ctx.terminalId },
    { kind: 'pair', left: t('shift.report.clerk'), right: `${shift.operatorId} ${shift.operatorName}` },
    { kind: 'pair', left: t('shift.report.opened'), right: at(shift.openedAt) },
  ];
  if (shift.closedAt) lines.push({ kind: 'pair', left: t('shift.report.closed'), right: at(shift.closedAt) });
  lines.push(
    { kind: 'text', text: t('shift.report.shiftNo') },
    { kind: 'text', text: shift.shiftId },
    { kind: 'rule' },
    { kind: 'text', text: t('shift.report.payments'), bold: true },
    ...methodLines(t, totals.payments),
    { kind: 'text', text: t('shift.report.vends'), bold: true },
    ...methodLines(t, totals.vends),
  );
  if (Object.keys(totals.reversals).length > 0) lines.push({ kind: 'text', text: t('shift.report.reversals'), bold: true }, ...methodLines(t, totals.reversals));
  lines.push(
    { kind: 'pair', left: t('shift.report.takings'), right: formatFen(totals.takingsFen), bold: true },
    { kind: 'rule' },
    { kind: 'text', text: t('shift.report.drawer'), bold: true },
    { kind: 'pair', left: t('shift.report.float'), right: formatFen(totals.floatFen) },
    { kind: 'pair', left: t('shift.report.cashTaken'), right: formatFen(totals.cashTakenFen) },
    { kind: 'pair', left: t('shift.report.cashIn', { count: totals.cashIn.count }), right: formatFen(totals.cashIn.fen) },
    { kind: 'pair', left: t('shift.report.cashOut', { count: totals.cashOut.count }), right: minus(totals.cashOut.fen) },
  );
  if (totals.cashReturnedFen > 0) lines.push({ kind: 'pair', left: t('shift.report.cashReturned'), right: minus(totals.cashReturnedFen) });
  if (kind === 'z' && shift.countedFen !== null && shift.expectedFen !== null && shift.differenceFen !== null) {
    lines.push(
      { kind: 'pair', left: t('shift.report.expected'), right: formatFen(shift.expectedFen), bold: true },
      { kind: 'pair', left: t('shift.report.counted'), right: formatFen(shift.countedFen), bold: true },
    );
    for (const l of count?.lines ?? []) {
      if (l.pieces > 0) lines.push({ kind: 'pair', left: `  ${t(`shift.denom.${l.id}`)} × ${l.pieces}`, right: formatFen(l.fen) });
    }
    const d = shift.differenceFen;
    lines.push({ kind: 'pair', left: d === 0 ? t('shift.report.balanced') : d < 0 ? t('shift.report.short') : t('shift.report.over'), right: formatFen(Math.abs(d)), bold: true });
    if (shift.approvedBy) lines.push({ kind: 'pair', left: t('shift.report.approvedBy'), right: `${shift.approvedBy} ${ctx.name(shift.approvedBy)}` });
    if (shift.closeReason) lines.push({ kind: 'text', text: t('shift.report.reason', { reason: shift.closeReason }) });
  } else {
    lines.push({ kind: 'text', text: t('shift.report.blindNote') });
  }
  lines.push(
    { kind: 'rule' },
    { kind: 'pair', left: t('shift.report.printedAt'), right: localDateTime(ctx.printedAt, ctx.timeZone) },
    { kind: 'text', text: t('shift.report.journalHead', { seq: ctx.journalHead.seq }) },
    { kind: 'text', text: ctx.journalHead.hash.slice(0, 32) },
    { kind: 'text', text: t('shift.report.signatures') },
    { kind: 'feed', lines: 3 },
  );
  return { lines };
}
