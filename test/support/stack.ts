/**
 * The whole terminal on loopback for integration and e2e tests: the reference backend (own temp
 * SQLite), the ESC/POS printer simulator on a real TCP port, the core with its real adapters, and
 * the host shell serving the built renderer. Time is pinned to the demo date and runs forward.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TerminalConfig } from '../../main/config.js';
import type { MethodName, ParamsOf, ResultOf } from '../../main/contract/index.js';
import type { Session } from '../../main/services/dispatch.js';
import type { Core } from '../../main/core.js';
import type { VendRules } from '../../main/domain/tariff/index.js';

import { buildCore } from '../../main/compose/index.js';
import { startHost, type RunningHost } from '../../main/host/host-server.js';
import { RENDERER_DIR } from '../../main/host/main.js';

import { startPrinterSimulator, type PrinterSimulator } from '../../kiosk-drivers/printer/simulator.js';
import { createSimulatedHall, type SimulatedHall } from '../../kiosk-drivers/device-manager/sim/simulated-hall.js';
import { startBackend, type RunningBackend } from '../billing-backend/server.js';
import { shippedLateFees, testTerminalConfig } from './config.js';

export const DEMO_NOW = new Date('2026-11-27T02:00:00.000Z');

export function runningClock(from: Date = DEMO_NOW): () => Date {
  const started = Date.now();
  return () => new Date(from.getTime() + (Date.now() - started));
}

export interface Stack {
  readonly dir: string;
  readonly backend: RunningBackend;
  readonly printer: PrinterSimulator;
  /** Simulated card reader and scanners on a simulated HID bus (insert cards, scan, unplug). */
  readonly hall: SimulatedHall;
  readonly config: TerminalConfig;
  readonly clock: () => Date;
  core: Core;
  host: RunningHost | null;
  /** Stop the core (as a crash or shutdown would) and build a fresh one on the same database. */
  restartCore(): Promise<Core>;
  dispose(): Promise<void>;
}

export interface StackOptions {
  readonly withHost?: boolean;
  readonly clock?: () => Date;
  /** The backend's own clock when it is not the terminal's (clock guard tests); default `clock`. */
  readonly backendClock?: () => Date;
  readonly pushIntervalMs?: number;
  /** Vend rules instead of resources/rules/vend.json (e.g. a fixed arrears recovery). */
  readonly vendRules?: VendRules;
  /** Payments and vends need an open shift, as shipped (default false: tests not about the drawer). */
  readonly shiftRequired?: boolean;
  /** Payment-code timing and e-invoices (config `payments`), e.g. short waits for gateway timeouts. */
  readonly payments?: { readonly gatewayTimeoutMs?: number; readonly codeQueryIntervalMs?: number; readonly codeConfirmWithinMs?: number; readonly invoices?: boolean };
  /** The backend's admin token (enrolment codes, the fleet view). */
  readonly adminToken?: string;
}

/** A kiosk stack (`mode: 'kiosk'`, config `kiosk` overrides; docs/kiosk.md). */
export interface KioskStackOptions {
  readonly mode?: 'counter' | 'kiosk';
  readonly kiosk?: Partial<TerminalConfig['kiosk']>;
  /** Accept the backend's HTTP knobs (the gateway's scan endpoint). */
  readonly allowKnobs?: boolean;
  /** The printer simulator's time per job (a real printer takes seconds). */
  readonly printerPrintMs?: number;
}

export async function startStack(opts: StackOptions & KioskStackOptions = {}): Promise<Stack> {
  const clock = opts.clock ?? runningClock();
  const dir = mkdtempSync(path.join(tmpdir(), 'gd-stack-'));
  const backend = await startBackend({ dbPath: path.join(dir, 'backend.db'), now: opts.backendClock ?? clock, seedDate: '2026-11-27', ...(opts.allowKnobs ? { allowKnobs: true } : {}), ...(opts.adminToken ? { adminToken: opts.adminToken } : {}) });
  const printer = await startPrinterSimulator({ port: 0, ...(opts.printerPrintMs !== undefined ? { printMs: opts.printerPrintMs } : {}) });
  const config = testTerminalConfig({
    ...(opts.mode ? { mode: opts.mode } : {}),
    ...(opts.kiosk ? { kiosk: opts.kiosk } : {}),
    dataDir: path.join(dir, 'terminal'),
    backend: { url: backend.url, pushIntervalMs: opts.pushIntervalMs ?? 60_000 },
    printer: { transport: 'network', host: printer.host, port: printer.port },
    devices: { simulated: true, printerPollMs: 1000, cardPollMs: 200, reconnect: { initialMs: 100, maxMs: 1000 } },
    shift: { required: opts.shiftRequired ?? false },
    ...(opts.payments ? { payments: opts.payments } : {}),
  });
  const hall = createSimulatedHall();
  const lateFees = shippedLateFees();
  const build = async () => {
    const core = buildCore(config, { hall, clock, lateFees, ...(opts.vendRules ? { vendRules: opts.vendRules } : {}) });
    await core.refreshOperators();
    return core;
  };
  const core = await build();
  const host = opts.withHost ? await startHost({ core, staticDir: RENDERER_DIR }) : null;
  const stack: Stack = {
    dir,
    backend,
    printer,
    hall,
    config,
    clock,
    core,
    host,
    async restartCore() {
      await stack.host?.close();
      await stack.core.close();
      stack.core = await build();
      stack.host = opts.withHost ? await startHost({ core: stack.core, staticDir: RENDERER_DIR }) : null;
      return stack.core;
    },
    async dispose() {
      await stack.host?.close();
      await stack.core.close();
      await printer.close();
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** A signed-in session for calling dispatch directly. */
export async function signedIn(core: Core, operatorId = 'C001', pin = '1234') {
  const session = core.newSession(`test-${operatorId}-${Math.random()}`);
  const r = await core.dispatch('session.signIn', { operatorId, pin }, session);
  if (!r.ok) throw new Error(`sign-in failed: ${r.error.code}`);
  return session;
}

/** Call a method and return its typed result; a wire error fails the test with its code. */
export async function call<K extends MethodName>(core: Core, method: K, params: ParamsOf<K>, session: Session): Promise<ResultOf<K>> {
  const r = await core.dispatch(method, params, session);
  if (!r.ok) throw new Error(`${method} failed: ${r.error.code} ${JSON.stringify(r.error.details)}`);
  return r.result as ResultOf<K>;
}

export interface Peers {
  readonly dir: string;
  readonly backend: RunningBackend;
  readonly printer: PrinterSimulator;
  dispose(): Promise<void>;
}

/**
 * The reference backend and the printer simulator alone, for a core that runs in a child process
 * (crash tests). The backend's clock is DEMO_NOW running from `t0Ms`, which the child reuses.
 */
export async function startPeers(prefix: string, t0Ms: number): Promise<Peers> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const started = DEMO_NOW.getTime();
  const backend = await startBackend({ dbPath: path.join(dir, 'backend.db'), now: () => new Date(started + (Date.now() - t0Ms)), seedDate: '2026-11-27' });
  const printer = await startPrinterSimulator({ port: 0 });
  return {
    dir,
    backend,
    printer,
    async dispose() {
      await printer.close();
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
