/**
 * THE wire between the UI and the core: every RPC method with its zod params schema, its result
 * type and who may call it, and every event the core pushes. Both shells (Electron IPC and the
 * loopback host) carry exactly these; the renderer imports only types from here.
 */
import { z } from 'zod';
import { ANY_STAFF, COUNTER_STAFF, type Access, type Role } from './roles.js';
import type { WireError } from './errors/index.js';
import { vendingMethodAccess, vendingMethodSchemas, type VendingMethodResults } from './vending.js';
import { updateMethodAccess, updateMethodSchemas, type UpdateMethodResults } from './updates.js';
import { KIOSK_EVENT_NAMES, kioskMethodAccess, kioskMethodSchemas, type KioskEventPayloads, type KioskMethodResults } from './kiosk.js';
import { DEVICE_EVENT_NAMES, deviceMethodAccess, deviceMethodSchemas, type DeviceEventPayloads, type DeviceMethodResults } from './devices.js';
import { CLOCK_EVENT_NAMES, clockMethodAccess, clockMethodSchemas, type ClockEventPayloads, type ClockMethodResults } from './clock.js';
import { paymentMethodAccess, paymentMethodSchemas, type PaymentMethodResults } from './payments.js';
import { shiftMethodAccess, shiftMethodSchemas, type ShiftMethodResults } from './shift.js';
import { EXCEPTIONS_EVENT_NAMES, exceptionsMethodAccess, exceptionsMethodSchemas, type ExceptionsEventPayloads, type ExceptionsMethodResults } from './exceptions.js';
import { collectionMethodAccess, collectionMethodSchemas, type CollectionMethodResults } from './collection.js';
import { auditMethodAccess, auditMethodSchemas, type AuditMethodResults } from './audit.js';
import { creditMethodAccess, creditMethodSchemas, type CreditMethodResults } from './credit.js';
import { serviceMethodAccess, serviceMethodSchemas, type ServiceMethodResults } from './service.js';
import { recoveryDashboardMethodAccess, recoveryDashboardMethodSchemas, type RecoveryDashboardMethodResults } from './recovery-dashboard.js';

export * from './roles.js';
export * from './errors/index.js';
export * from './vending.js';
export * from './devices.js';
export * from './kiosk.js';
export * from './updates.js';
export * from './approvals.js';
export * from './clock.js';
export * from './payments.js';
export * from './shift.js';
export * from './exceptions.js';
export * from './collection.js';
export * from './audit.js';
export * from './credit.js';
export * from './service.js';
export * from './recovery-dashboard.js';

const AccountKey = z.string().trim().min(1).max(32);

const coreMethodSchemas = {
  /** Terminal identity and mode; callable before sign-in. */
  'system.info': z.object({}).strict(),
  'session.signIn': z.object({ operatorId: z.string().trim().min(1).max(32), pin: z.string().max(32) }).strict(),
  'session.signOut': z.object({}).strict(),
  'session.current': z.object({}).strict(),
  /** Find one account by account number (online first, cache second). */
  'account.lookup': z.object({ accountNo: AccountKey }).strict(),
  /** Find accounts by account, meter, phone, card number, bill barcode, or part of the name. */
  'account.search': z.object({ q: z.string().trim().min(1).max(64) }).strict(),
  'receipt.reprint': z.object({ paymentId: z.string().uuid(), receiptLocale: z.enum(['zh-CN', 'en']).optional() }).strict(),
  /** The payment's receipt laid out as printed (same model as the printer), for the screen. */
  'receipt.preview': z.object({ paymentId: z.string().uuid(), receiptLocale: z.enum(['zh-CN', 'en']).optional() }).strict(),
  'sync.status': z.object({}).strict(),
  /**
   * A supervisor's "sync now": push the outbox and pull changes at once, rather than at the next
   * interval. `full`: pull the whole service area again from the start (the cache keeps serving
   * meanwhile) — after a restore, or when the cache is suspected stale.
   */
  'sync.force': z.object({ full: z.boolean().default(false) }).strict(),
} as const;

/** Every area contributes its own methods (vending in ./vending.ts); names never collide. */
export const methodSchemas = { ...coreMethodSchemas, ...paymentMethodSchemas, ...vendingMethodSchemas, ...deviceMethodSchemas, ...clockMethodSchemas, ...kioskMethodSchemas, ...updateMethodSchemas, ...shiftMethodSchemas, ...exceptionsMethodSchemas, ...collectionMethodSchemas, ...auditMethodSchemas, ...creditMethodSchemas, ...recoveryDashboardMethodSchemas, ...serviceMethodSchemas } as const;

export type MethodName = keyof typeof methodSchemas;
export type ParamsOf<K extends MethodName> = z.input<(typeof methodSchemas)[K]>;

export const methodAccess: { readonly [K in MethodName]: Access } = {
  ...vendingMethodAccess,
  ...deviceMethodAccess,
  ...clockMethodAccess,
  ...paymentMethodAccess,
  ...shiftMethodAccess,
  ...exceptionsMethodAccess,
  ...collectionMethodAccess,
  ...auditMethodAccess,
  ...creditMethodAccess,
  ...recoveryDashboardMethodAccess,
  ...kioskMethodAccess,
  ...updateMethodAccess,
  ...serviceMethodAccess,
  'system.info': 'public',
  'session.signIn': 'public',
  'session.signOut': 'public',
  'session.current': 'public',
  'account.lookup': ANY_STAFF,
  'account.search': ANY_STAFF,
  'receipt.reprint': COUNTER_STAFF,
  'receipt.preview': ANY_STAFF,
  'sync.status': ANY_STAFF,
  'sync.force': ['supervisor', 'manager'],
};

export interface OperatorView {
  readonly operatorId: string;
  readonly name: string;
  readonly role: Role;
}

export interface BillView {
  readonly billId: string;
  readonly period: string;
  readonly consumption: number;
  readonly amountFen: number;
  readonly paidFen: number;
  readonly outstandingFen: number;
  readonly dueDate: string;
  readonly daysOverdue: number;
  readonly lateFeeFen: number;
  /** i18n key naming the late-fee rule applied, empty when no fee. */
  readonly lateFeeRuleKey: string;
  /** Late fee a supervisor waived on this bill (already taken off `lateFeeFen`). */
  readonly lateFeeWaivedFen?: number;
  readonly status: 'open' | 'paid';
}

export interface AccountView {
  readonly accountNo: string;
  readonly name: string;
  readonly address: string;
  readonly phone: string;
  readonly customerClass: 'residential' | 'commercial' | 'industrial' | 'agricultural';
  readonly paymentMode: 'postpaid' | 'prepaid';
  readonly tariffCode: string;
  readonly balanceFen: number;
  readonly creditGrade: 'A' | 'B' | 'C' | 'D';
  readonly meters: readonly { readonly meterNo: string; readonly kind: 'postpaid' | 'sts' | 'card' }[];
  readonly openBills: readonly BillView[];
  readonly totalDueFen: number;
  /** 'closed': service ended at the office; what is owed can still be paid, the clerk is told. */
  readonly status: 'active' | 'closed';
  /** 'online' = fresh from the backend; 'cache' = the backend was unreachable, data as of `asOf`. */
  readonly source: 'online' | 'cache';
  readonly asOf: string;
}

export interface AccountSummary {
  readonly accountNo: string;
  readonly name: string;
  readonly address: string;
  readonly paymentMode: 'postpaid' | 'prepaid';
  /** 'closed': service ended (still found; listed after active accounts). */
  readonly status: 'active' | 'closed';
}

/** Where the initial pull of the whole service area stands (the snapshot stream). */
export interface InitialPullView {
  /** Accounts applied so far (across cuts and restarts). */
  readonly accounts: number;
  /** Accounts it will have when complete; null until the backend said. */
  readonly total: number | null;
  /** Accounts per second, this run. */
  readonly perSecond: number;
  /** At this run's rate; null when unknown. */
  readonly secondsLeft: number | null;
  /** A stream is being read now. */
  readonly running: boolean;
  /** The whole area is cached; change pages keep it current. */
  readonly complete: boolean;
}

export interface SyncStatusView {
  readonly pending: number;
  readonly online: boolean;
  readonly lastPushAt: string | null;
  readonly lastError: string | null;
  /** The initial pull of the service area: accounts so far, rate, time left. */
  readonly initialPull: InitialPullView;
}

export interface SystemInfoView {
  readonly terminalId: string;
  readonly mode: 'counter' | 'kiosk';
  readonly defaultLocale: 'zh-CN' | 'en';
  /** IANA zone of the terminal (config.timeZone); the UI shows times in it, not the browser's. */
  readonly timeZone: string;
  readonly version: string;
  /** A signed-in session idle this long ends (config `session.idleTimeoutMs`); the UI returns to sign-in. */
  readonly sessionIdleTimeoutMs: number;
}

export interface MethodResults extends PaymentMethodResults, VendingMethodResults, DeviceMethodResults, ClockMethodResults, KioskMethodResults, UpdateMethodResults, ShiftMethodResults, ExceptionsMethodResults, CollectionMethodResults, AuditMethodResults, CreditMethodResults, RecoveryDashboardMethodResults, ServiceMethodResults {
  'system.info': SystemInfoView;
  'session.signIn': OperatorView;
  'session.signOut': { readonly signedOut: true };
  'session.current': OperatorView | null;
  'account.lookup': AccountView;
  'account.search': { readonly items: readonly AccountSummary[]; readonly source: 'online' | 'cache' };
  'receipt.reprint': { readonly printed: boolean; readonly error: WireError | null };
  'receipt.preview': { readonly lines: readonly string[] };
  'sync.status': SyncStatusView;
  'sync.force': SyncStatusView;
}

export type ResultOf<K extends MethodName> = MethodResults[K];

export type RpcResponse<K extends MethodName = MethodName> =
  | { readonly ok: true; readonly result: ResultOf<K> }
  | { readonly ok: false; readonly error: WireError };

/** Events pushed by the core, past tense. Devices contribute theirs in ./devices.ts, the kiosk in ./kiosk.ts. */
export interface EventPayloads extends ClockEventPayloads, DeviceEventPayloads, KioskEventPayloads, ExceptionsEventPayloads {
  'sync.progressed': SyncStatusView;
}
export type EventName = keyof EventPayloads;

/** Every event name, for shells that forward them all. */
export const EVENT_NAMES: readonly EventName[] = ['sync.progressed', ...CLOCK_EVENT_NAMES, ...DEVICE_EVENT_NAMES, ...KIOSK_EVENT_NAMES, ...EXCEPTIONS_EVENT_NAMES];

/** The one object both shells expose to the renderer as `window.griddesk`. */
export interface GridDeskBridge {
  invoke<K extends MethodName>(method: K, params: ParamsOf<K>): Promise<RpcResponse<K>>;
  subscribe<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}
