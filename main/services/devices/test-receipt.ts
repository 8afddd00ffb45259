/**
 * The diagnostics test receipt, built from the one receipt model and the locale strings: it
 * exercises what a real receipt needs (GB18030 Chinese, bold, double size, justified pairs, rule,
 * QR code, barcode, cut) and says which terminal and printer status produced it.
 */
import type { Receipt } from '../../../kiosk-drivers/printer/receipt-model.js';
import type { PrinterHealth } from '../../../kiosk-drivers/device-manager/device-state.js';
import type { Locale, Translate } from '../../i18n/locales.js';
import { localDateTime } from '../clock.js';

export interface TestReceiptContext {
  readonly t: Translate;
  readonly locale: Locale;
  readonly header: string;
  readonly terminalId: string;
  readonly timeZone: string;
  readonly at: Date;
  readonly operatorId: string;
  readonly printer: PrinterHealth | null;
}

/** Printable ASCII for CODE128 set B: the terminal id without anything exotic, plus the time. */
function barcodeData(terminalId: string, at: Date): string {
  const stamp = at.toISOString().replace(/\D/g, '').slice(0, 14);
  return `${terminalId.replace(/[^A-Za-z0-9-]/g, '')}-${stamp}`.slice(0, 40);
}

export function testReceipt(ctx: TestReceiptContext): Receipt {
  const { t } = ctx;
  const state = ctx.printer?.status
    ? ctx.printer.status.paperNearEnd
      ? t('diagnostics.state.paperNearEnd')
      : t('diagnostics.state.ready')
    : t('diagnostics.state.unknown');
  return {
    lines: [
      { kind: 'text', text: ctx.header, align: 'center', bold: true },
      { kind: 'text', text: t('diagnostics.testReceipt.title'), align: 'center', bold: true, size: 2 },
      { kind: 'rule' },
      { kind: 'pair', left: t('diagnostics.testReceipt.terminal'), right: ctx.terminalId },
      { kind: 'pair', left: t('diagnostics.testReceipt.operator'), right: ctx.operatorId },
      { kind: 'pair', left: t('diagnostics.testReceipt.time'), right: localDateTime(ctx.at, ctx.timeZone) },
      { kind: 'pair', left: t('diagnostics.testReceipt.language'), right: ctx.locale },
      { kind: 'pair', left: t('diagnostics.testReceipt.printerState'), right: state },
      { kind: 'rule' },
      { kind: 'text', text: t('diagnostics.testReceipt.chineseSample') },
      { kind: 'text', text: t('diagnostics.testReceipt.asciiSample') },
      { kind: 'pair', left: t('diagnostics.testReceipt.amountSample'), right: '¥1,234.56', bold: true },
      { kind: 'qr', data: `GRIDDESK-TEST:${ctx.terminalId}` },
      { kind: 'barcode', data: barcodeData(ctx.terminalId, ctx.at) },
      { kind: 'text', text: t('diagnostics.testReceipt.end'), align: 'center' },
      { kind: 'feed', lines: 3 },
    ],
  };
}
