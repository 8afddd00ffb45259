/**
 * Pure kiosk rules (common tier: no Node, no I/O): what a kiosk screen may show of an account
 * (masking), which bills a choice pays (the one settlement order), which functions the kiosk offers
 * given its devices, backend and gateway, and the visit's idle deadline.
 */

/** 雷洋子 → 雷*子, 林记大药房 → 林***房, Lei Yangzi → L** Y****. The full name never reaches a payer's screen. */
export function maskName(name: string): string {
  const trimmed = name.trim();
  if (/^[\x20-\x7e]+$/.test(trimmed)) {
    return trimmed
      .split(/\s+/)
      .map((w) => (w.length <= 1 ? w : `${w[0]}${'*'.repeat(Math.min(w.length - 1, 4))}`))
      .join(' ');
  }
  const chars = [...trimmed];
  if (chars.length <= 1) return trimmed;
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/**
 * A payer sees the address down to the district (区/县/旗, else the city), the rest masked; a holder
 * sees it whole but the numbers after the street number (building, unit, room) masked.
 */
export function maskAddress(address: string, access: 'payer' | 'holder'): string {
  if (address === '') return '';
  if (access === 'payer') {
    const m = /^(.*?(?:区|县|旗))/.exec(address) ?? /^(.*?市)/.exec(address);
    const keep = m?.[1] ?? [...address].slice(0, 6).join('');
    return `${keep}****`;
  }
  const i = address.indexOf('号');
  if (i >= 0) return address.slice(0, i + 1) + address.slice(i + 1).replace(/\d/g, '*');
  return address.replace(/\d(?=(?:\D*\d){0,3}\D*$)/g, '*');
}

/** 13812345678 → 138****5678. */
export function maskPhone(phone: string): string {
  return phone.length < 7 ? '*'.repeat(phone.length) : `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}`;
}

/** The last digits shown of a meter number on a payer's screen. */
export function meterTail(meterNo: string): string {
  return meterNo.slice(-4);
}

export interface ChoosableBill {
  readonly billId: string;
  readonly period: string;
  readonly dueDate: string;
}

/** The order the one settlement rule pays bills in (main/domain/settlement.ts): due date, period, id. */
export function settlementOrder<B extends ChoosableBill>(bills: readonly B[]): B[] {
  return [...bills].sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.period.localeCompare(b.period) || a.billId.localeCompare(b.billId));
}

export type BillChoiceResult<B> =
  | { readonly ok: true; readonly bills: readonly B[] }
  | { readonly ok: false; readonly code: 'account.no_open_bills' }
  | { readonly ok: false; readonly code: 'kiosk.bill_not_open'; readonly billId: string }
  | { readonly ok: false; readonly code: 'kiosk.bills_out_of_order'; readonly olderBillId: string; readonly period: string };

/**
 * The bills a choice pays. Money settles oldest first (one settlement rule), so a choice must be a
 * prefix of the settlement order: choosing a bill while an older one stays open is refused, naming
 * the older bill, rather than silently paying bills the customer did not choose.
 */
export function chooseBills<B extends ChoosableBill>(open: readonly B[], choice: 'all' | readonly string[]): BillChoiceResult<B> {
  const ordered = settlementOrder(open);
  if (ordered.length === 0) return { ok: false, code: 'account.no_open_bills' };
  if (choice === 'all') return { ok: true, bills: ordered };
  const wanted = new Set(choice);
  for (const id of wanted) if (!ordered.some((b) => b.billId === id)) return { ok: false, code: 'kiosk.bill_not_open', billId: id };
  const last = Math.max(...ordered.map((b, i) => (wanted.has(b.billId) ? i : -1)));
  const prefix = ordered.slice(0, last + 1);
  const skipped = prefix.find((b) => !wanted.has(b.billId));
  if (skipped) return { ok: false, code: 'kiosk.bills_out_of_order', olderBillId: skipped.billId, period: skipped.period };
  return { ok: true, bills: prefix };
}

/** What the kiosk knows about itself when it decides what to offer. */
export interface KioskConditions {
  readonly gatewayReachable: boolean;
  readonly backendOnline: boolean;
  /** The receipt printer would print now (no fault). */
  readonly printerReady: boolean;
  /** The card reader/writer is connected and healthy. */
  readonly cardWriterReady: boolean;
  /** A token can be issued now (online module, or a local module in local mode / fallback). */
  readonly tokenIssuerReady: boolean;
  /** Offline credit left, and the smallest purchase: offline vends need at least that much left. */
  readonly offlineAvailableFen: number;
  readonly minimumVendFen: number;
}

/** Why a function is not offered: an error code of the closed union (translated by the UI), or null. */
export type KioskUnavailableReason = string | null;

export interface KioskOffer {
  readonly payBills: KioskUnavailableReason;
  readonly buyToken: KioskUnavailableReason;
  readonly cardTopUp: KioskUnavailableReason;
  readonly print: KioskUnavailableReason;
  readonly qr: KioskUnavailableReason;
  /** In service when QR payment works and at least one way to pay something is offered. */
  readonly inService: boolean;
}

/**
 * Function by function, never the whole kiosk for one fault (docs/kiosk.md, capabilities table):
 * the kiosk takes only QR payments, so no gateway means out of service; bills are paid offline too
 * (settled from the cache, synced later); a vend offline needs the offline credit; a card top-up
 * needs the card writer; printing needs a printer without a fault (else tokens go on screen).
 */
export function kioskOffer(c: KioskConditions, printerFault: string = 'device.not_found'): KioskOffer {
  const qr: KioskUnavailableReason = c.gatewayReachable ? null : 'kiosk.gateway_unavailable';
  const offlineOk = c.offlineAvailableFen >= c.minimumVendFen;
  const vendMoney: KioskUnavailableReason = c.backendOnline ? null : offlineOk ? null : 'vending.offline_limit_exceeded';
  const buyToken = qr ?? (c.tokenIssuerReady ? null : 'vending.secure_module_unavailable') ?? vendMoney;
  const cardTopUp = qr ?? (c.cardWriterReady ? null : 'vending.card_writer_unavailable') ?? vendMoney;
  const payBills = qr;
  const print = c.printerReady ? null : printerFault;
  return { payBills, buyToken, cardTopUp, print, qr, inService: qr === null && (payBills === null || buyToken === null || cardTopUp === null) };
}
