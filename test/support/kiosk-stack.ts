/**
 * Kiosk integration helpers: a stack in `mode: 'kiosk'` (real SQLite, the reference backend and its
 * gateway over HTTP, the printer simulator, the simulated HID hall) and a customer session that
 * calls the kiosk methods the way the kiosk screens do.
 */
import { issueStaffBadge } from '../../kiosk-drivers/card/sim/issue-badge.js';
import { issueGridDeskCard } from '../../kiosk-drivers/card/sim/issue-card.js';
import type { SimulatedCard } from '../../kiosk-drivers/card/sim/simulated-card.js';
import { DEMO_BADGE_MASTER_KEY, DEMO_CARD_MASTER_KEY } from '../../main/compose/devices.js';
import type { MethodName, ParamsOf, ResultOf, RpcResponse, WireError } from '../../main/contract/index.js';
import type { Session } from '../../main/services/dispatch.js';
import { startStack, type KioskStackOptions, type Stack, type StackOptions } from './stack.js';

export async function startKioskStack(opts: StackOptions & KioskStackOptions = {}): Promise<Stack> {
  delete process.env.GRIDDESK_SECURE_MODULE_CONFIG;
  const stack = await startStack({ mode: 'kiosk', ...opts });
  await until('card reader connected', () => stack.core.devices?.list().some((d) => d.kind === 'cardReader' && d.connection === 'connected'), 5000);
  await until('printer status read', () => stack.core.devices?.printerHealth().status !== null, 5000);
  return stack;
}

export async function until<T>(what: string, f: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** One kiosk screen: its session and typed calls (ok → result; error → thrown with the code). */
export class KioskScreen {
  readonly session: Session;
  constructor(private readonly stack: Stack, id = `kiosk-screen-${Math.random()}`) {
    this.session = stack.core.newSession(id);
  }

  raw<K extends MethodName>(method: K, params: ParamsOf<K>): Promise<RpcResponse> {
    return this.stack.core.dispatch(method, params, this.session);
  }

  async call<K extends MethodName>(method: K, params: ParamsOf<K>): Promise<ResultOf<K>> {
    const r = await this.raw(method, params);
    if (!r.ok) throw new KioskCallError(method, r.error);
    return r.result as ResultOf<K>;
  }

  /** The error code a call answers (fails when it succeeds). */
  async code<K extends MethodName>(method: K, params: ParamsOf<K>): Promise<string> {
    const r = await this.raw(method, params);
    if (r.ok) throw new Error(`${method} succeeded: ${JSON.stringify(r.result).slice(0, 200)}`);
    return r.error.code;
  }
}

export class KioskCallError extends Error {
  constructor(
    readonly method: string,
    readonly error: WireError,
  ) {
    super(`${method} failed: ${error.code} ${JSON.stringify(error.details)}`);
  }
}

/** The seeded card meter of an account, and a freshly issued card for it. */
export function cardFor(stack: Stack, accountNo: string, uidByte: number): SimulatedCard {
  const m = stack.backend.db.prepare("SELECT meter_no, card_generation FROM meters WHERE account_no = ? AND kind = 'card'").get(accountNo) as {
    meter_no: string;
    card_generation: number;
  };
  return issueGridDeskCard({ masterKey: DEMO_CARD_MASTER_KEY, uid: Uint8Array.of(0x04, 0xc9, 0x00, uidByte), accountNo, meterNo: m.meter_no, generation: m.card_generation });
}

/** Put a card in the reader and wait until the device manager reports it. */
export async function insertCard(stack: Stack, card: SimulatedCard): Promise<void> {
  const serial = Buffer.from(card.uid).toString('hex').toUpperCase();
  stack.hall.cardReader.insert(card);
  await until('card seen', () => stack.core.devices?.list().some((d) => d.kind === 'cardReader' && d.cardSerial === serial));
}

export async function removeCard(stack: Stack): Promise<SimulatedCard | null> {
  const card = stack.hall.cardReader.removeCard();
  await until('card gone', () => stack.core.devices?.list().some((d) => d.kind === 'cardReader' && d.cardSerial === null));
  return card;
}

/** The customer scans the order's code and pays (the reference gateway's test endpoint). */
export function customerPays(stack: Stack, outTradeNo: string): void {
  const r = stack.backend.kiosk.scan(outTradeNo);
  if (!r.ok) throw new Error(`scan refused: ${r.error}`);
}

export function outTradeNoOf(stack: Stack, orderId: string): string {
  return (stack.core.db.prepare('SELECT out_trade_no FROM kiosk_orders WHERE order_id = ?').get(orderId) as { out_trade_no: string }).out_trade_no;
}

/** A staff badge (docs/devices/staff-badge.md) for an operator, under the simulated hall's badge key. */
export function staffBadgeFor(operatorId: string, uidByte: number, opts: { readonly validUntil?: number; readonly masterKey?: Uint8Array } = {}): SimulatedCard {
  return issueStaffBadge({
    masterKey: opts.masterKey ?? DEMO_BADGE_MASTER_KEY,
    uid: Uint8Array.of(0x04, 0xba, 0x00, uidByte),
    operatorId,
    issue: 1,
    ...(opts.validUntil !== undefined ? { validUntil: opts.validUntil } : {}),
  });
}
