/**
 * Vend end to end through the core's dispatch: validation, four journaled SQLite commits
 * (created, paid, token_issued, delivered; WAL + synchronous=FULL on a real file), token
 * generation by the local secure module, receipt build and ESC/POS encode (bytes kept in memory,
 * no printer I/O). The account comes from the reference backend over loopback HTTP, as at the
 * counter, so a separate figure without that lookup is printed too.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeReceipt } from '../../kiosk-drivers/printer/escpos-encoder.js';
import type { ReceiptPrinter } from '../../kiosk-drivers/printer/receipt-printer.js';

import { buildCore } from '../../main/compose/index.js';

import { startBackend } from '../billing-backend/server.js';
import { atMost, info, median, percentile, type BenchResult } from './harness.js';
import { shippedLateFees, testTerminalConfig } from '../support/config.js';

const N = 150;

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gd-vend-bench-'));
  const smConfig = path.join(dir, 'secure-module.json');
  writeFileSync(smConfig, JSON.stringify({ mode: 'local', keyFile: 'demo-vending-key.json', localFallback: true, offlineCreditLimitFen: 100_000_000, onlineTimeoutMs: 2000 }));
  const previous = process.env.GRIDDESK_SECURE_MODULE_CONFIG;
  process.env.GRIDDESK_SECURE_MODULE_CONFIG = smConfig;
  const backend = await startBackend({ dbPath: path.join(dir, 'backend.db') });
  let bytes = 0;
  const printer: ReceiptPrinter = {
    status: () => Promise.resolve({ online: true, paperNearEnd: false, paperOut: false, coverOpen: false, error: false }),
    print: (r) => {
      bytes += encodeReceipt(r).length;
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  const config = testTerminalConfig({ dataDir: path.join(dir, 'terminal'), backend: { url: backend.url, lookupTimeoutMs: 2000 } });
  const core = buildCore(config, { printer, withoutDevices: true, lateFees: shippedLateFees() });
  try {
    await core.refreshOperators();
    const s = core.newSession('bench');
    await core.dispatch('session.signIn', { operatorId: 'C001', pin: '1234' }, s);
    const vend = async () => {
      const r = await core.dispatch('vend.purchase', { requestId: randomUUID(), accountNo: '3100000003', method: 'cash', amount: '20' }, s);
      if (!r.ok) throw new Error(`vend failed: ${r.error.code}`);
    };
    for (let i = 0; i < 20; i++) await vend();
    const total: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = process.hrtime.bigint();
      await vend();
      total.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    // The same vend with the account lookup excluded: the backend answers from a warm connection,
    // so measure that lookup alone and subtract its median.
    const lookups: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = process.hrtime.bigint();
      await core.dispatch('vend.preview', { accountNo: '3100000003', amount: '20' }, s);
      lookups.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    total.sort((a, b) => a - b);
    lookups.sort((a, b) => a - b);
    return [
      atMost('vend end to end (lookup + 4 commits + token + receipt encode), median', median(total), 'ms', 50),
      info('vend end to end, p95', percentile(total, 95), 'ms'),
      info('vend.preview (account lookup + split), median', median(lookups), 'ms'),
      info('receipt bytes per vend', bytes / (N + 20), 'B'),
    ];
  } finally {
    await core.close();
    await backend.close();
    if (previous === undefined) delete process.env.GRIDDESK_SECURE_MODULE_CONFIG;
    else process.env.GRIDDESK_SECURE_MODULE_CONFIG = previous;
    rmSync(dir, { recursive: true, force: true });
  }
}
