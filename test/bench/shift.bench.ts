/**
 * The end of a busy day: a shift with 5,000 cash payments (each with its printed-receipt entry),
 * cash in and out, counted and closed; the day's events pushed to the reference backend. Then the
 * Z report (the journal read since the shift opened, laid out as printed) and the four-way
 * reconciliation of the day (journal, the backend's ledger over HTTP, credits, drawers) are timed.
 * Target (issue #10): each ≤ 1 s.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { layoutReceiptText } from '../../kiosk-drivers/printer/receipt-model.js';
import type { OperatorView } from '../../main/contract/index.js';
import { RESOURCES_DIR } from '../../main/compose/index.js';
import { loadLocale, translator } from '../../main/i18n/locales.js';
import { loadShiftRules } from '../../main/loaders/shift-rules.js';
import { localDate } from '../../main/services/clock.js';
import { commitPayment } from '../../main/services/payments.js';
import { reconciliationCsv, reconciliationXlsx } from '../../main/services/shift/reconciliation-export.js';
import { runReconciliation } from '../../main/services/shift/reconciliation.js';
import { ShiftService } from '../../main/services/shift/shift-service.js';
import { openDatabase } from '../../main/store/db.js';
import { uuidv7 } from '../../main/store/ids.js';
import { appendJournal } from '../../main/store/journal.js';
import { BackendClient } from '../../main/sync/backend-client.js';
import { OutboxPusher } from '../../main/sync/outbox-pusher.js';
import { DEMO_TERMINAL } from '../../main/sync/signing.js';
import { startBackend } from '../billing-backend/server.js';
import { atMost, info, median, type BenchResult } from './harness.js';

const PAYMENTS = 5000;
const TZ = 'Asia/Shanghai';

export async function run(): Promise<BenchResult[]> {
  mkdirSync(path.resolve('.tmp'), { recursive: true });
  const dir = mkdtempSync(path.join(path.resolve('.tmp'), 'bench-shift-'));
  const backend = await startBackend({ dbPath: path.join(dir, 'backend.db') });
  try {
    const clock = () => new Date();
    const db = openDatabase(path.join(dir, 'terminal.db'));
    const zh = translator(loadLocale('zh-CN'));
    const shifts = new ShiftService({
      db,
      clock,
      terminalId: DEMO_TERMINAL.id,
      timeZone: TZ,
      rules: loadShiftRules(path.join(RESOURCES_DIR, 'rules', 'shift.json')),
      required: true,
      translators: { 'zh-CN': zh, en: translator(loadLocale('en')) },
      defaultLocale: 'zh-CN',
      receipt: { header: '国网三门峡供电公司 湖滨营业厅', hotline: '95598' },
      printer: null,
      afterCommit: () => undefined,
    });
    const clerk: OperatorView = { operatorId: 'C001', name: '张敏', role: 'clerk' };

    // The day, written as the counter writes it (setup, not timed; the disk's fsync is not the point here).
    const setupStart = performance.now();
    db.pragma('synchronous = OFF');
    const shiftId = crypto.randomUUID();
    shifts.open(shiftId, { note_100: 5 }, clerk);
    let takenFen = 0;
    for (let i = 0; i < PAYMENTS; i++) {
      const now = clock();
      const amountFen = 1000 + ((i * 7919) % 40000);
      takenFen += amountFen;
      const paymentId = uuidv7(() => now);
      commitPayment(db, {
        paymentId,
        requestId: crypto.randomUUID(),
        accountNo: String(3100000001 + (i % 300)),
        method: 'cash',
        amountFen,
        tenderedFen: amountFen,
        changeFen: 0,
        operatorId: clerk.operatorId,
        externalRef: null,
        createdAt: now.toISOString(),
        shiftId,
        openBills: () => ({ asOfDate: localDate(now, TZ), bills: [] }),
      });
      appendJournal(db, { type: 'receipt.printed', ref: paymentId, actor: clerk.operatorId, at: now.toISOString(), payload: { reprint: false } });
    }
    shifts.move('in', { requestId: crypto.randomUUID(), amount: '200', reason: 'change_fund' }, clerk);
    shifts.move('out', { requestId: crypto.randomUUID(), amount: '10000', reason: 'bank_deposit' }, clerk);
    const expected = 50000 + takenFen + 20000 - 1_000_000;
    const counts: Record<string, number> = {};
    let left = expected;
    for (const [id, face] of [['note_100', 10000], ['note_50', 5000], ['note_20', 2000], ['note_10', 1000], ['coin_0_1', 10]] as const) {
      counts[id] = Math.min(10_000, Math.floor(left / face));
      left -= counts[id] * face;
    }
    if (left !== 0) throw new Error(`cannot count ${expected} fen`);
    shifts.count(counts, clerk);
    await shifts.close({}, clerk);
    db.pragma('synchronous = FULL');

    // Synced: the backend's ledger holds the day.
    const client = new BackendClient({ baseUrl: backend.url, terminalId: DEMO_TERMINAL.id, secret: DEMO_TERMINAL.secret, now: clock });
    const pushed = await new OutboxPusher({ db, client, batchSize: 500, timeoutMs: 30_000, now: clock }).pushAll();
    if (pushed.pending !== 0 || pushed.error !== null) throw new Error(`push failed: ${pushed.error}`);
    const setupS = (performance.now() - setupStart) / 1000;

    const date = localDate(clock(), TZ);
    const reconcileDay = () =>
      runReconciliation({ db, clock, timeZone: TZ, shifts, ledger: async (from, to) => (await client.terminalLedger(from, to, 30_000)).items }, { date });
    const zTimes: number[] = [];
    const reconTimes: number[] = [];
    let lines = 0;
    let differences = -1;
    for (let round = 0; round < 5; round++) {
      const t0 = performance.now();
      lines = layoutReceiptText(shifts.report('z', shiftId, 'zh-CN')).length;
      zTimes.push(performance.now() - t0);
      const t1 = performance.now();
      const view = await reconcileDay();
      reconTimes.push(performance.now() - t1);
      differences = view.differences.length;
      if (view.summary.journal.count < PAYMENTS || view.summary.backend?.count !== view.summary.journal.count) {
        throw new Error(`reconciliation saw ${view.summary.journal.count} journal / ${view.summary.backend?.count} ledger events`);
      }
    }
    if (differences !== 0) throw new Error(`a clean day reconciled with ${differences} differences`);
    const view = await reconcileDay();
    const { from, to } = { from: view.from, to: view.to };
    const ledgerTimes: number[] = [];
    for (let round = 0; round < 3; round++) {
      const t = performance.now();
      await client.terminalLedger(from, to, 30_000);
      ledgerTimes.push(performance.now() - t);
    }
    const t2 = performance.now();
    reconciliationCsv(view, zh, DEMO_TERMINAL.id, TZ);
    const csvMs = performance.now() - t2;
    const t3 = performance.now();
    await reconciliationXlsx(view, zh, DEMO_TERMINAL.id, TZ);
    const xlsxMs = performance.now() - t3;
    db.close();
    return [
      info(`shift day setup (${PAYMENTS} payments, push to backend)`, setupS, 's'),
      atMost(`Z report of a shift with ${PAYMENTS} payments (${lines} lines), median of 5`, median(zTimes), 'ms', 1000),
      atMost(`reconciliation of a day with ${PAYMENTS} payments (journal + backend ledger over HTTP), median of 5`, median(reconTimes), 'ms', 1000),
      atMost(`Z report + reconciliation, ${PAYMENTS} payments`, median(zTimes) + median(reconTimes), 'ms', 1000),
      info(`of which: the backend's ledger of the day over HTTP (${PAYMENTS + 5} events), median of 3`, median(ledgerTimes), 'ms'),
      info('reconciliation CSV export', csvMs, 'ms'),
      info('reconciliation XLSX export', xlsxMs, 'ms'),
    ];
  } finally {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
