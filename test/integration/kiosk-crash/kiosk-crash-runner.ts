/**
 * A kiosk core in a child process for the crash test (../kiosk-crash.test.ts): `node --import tsx`
 * with $GRIDDESK_CRASH_AT naming the point where it SIGKILLs itself and $KIOSK_CRASH_JOB the phase.
 * 'pay': a visit orders a token by QR, the customer pays (the gateway's scan endpoint), the kiosk
 * polls until it sees the payment — and dies at the crash point, before delivering. 'resume': a
 * fresh core on the same database finishes what was paid on its own, then the next visit is offered
 * the pending transaction and shows it. Prints one `RESULT {...}` line.
 */
import { buildCore } from '../../../main/compose/index.js';
import type { MethodName, ParamsOf, ResultOf } from '../../../main/contract/index.js';
import { testTerminalConfig } from '../../support/config.js';

export interface KioskCrashJob {
  readonly phase: 'pay' | 'resume';
  readonly dataDir: string;
  readonly backendUrl: string;
  readonly printerPort: number;
  readonly startIso: string;
  readonly t0Ms: number;
  readonly accountNo: string;
  readonly amount: string;
}

const job = JSON.parse(process.env.KIOSK_CRASH_JOB ?? 'null') as KioskCrashJob;
const start = new Date(job.startIso).getTime();
const clock = () => new Date(start + (Date.now() - job.t0Ms));
const config = testTerminalConfig({
  mode: 'kiosk',
  dataDir: job.dataDir,
  backend: { url: job.backendUrl, lookupTimeoutMs: 3000 },
  printer: { transport: 'network', host: '127.0.0.1', port: job.printerPort },
  kiosk: { orderPollMs: 200, healthCheckMs: 500 },
});
const core = buildCore(config, { withoutDevices: true, clock });
await core.refreshOperators();
const session = core.newSession('kiosk-crash');
async function call<K extends MethodName>(method: K, params: ParamsOf<K>): Promise<ResultOf<K>> {
  const r = await core.dispatch(method, params, session);
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${JSON.stringify(r.error.details)}`);
  return r.result as ResultOf<K>;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let result: unknown;
if (job.phase === 'pay') {
  const visit = await call('kiosk.begin', { locale: 'zh-CN' });
  await call('kiosk.identify', { visitId: visit.visitId, by: 'number', value: job.accountNo });
  const q = await call('kiosk.quoteVend', { visitId: visit.visitId, amount: job.amount });
  const order = await call('kiosk.order.create', { visitId: visit.visitId, what: 'vend', amount: job.amount, quoteDigest: q.quoteDigest });
  const outTradeNo = (core.db.prepare('SELECT out_trade_no FROM kiosk_orders WHERE order_id = ?').get(order.orderId) as { out_trade_no: string }).out_trade_no;
  process.stdout.write(`ORDER ${JSON.stringify({ orderId: order.orderId })}\n`);
  // The customer scans and pays on the phone.
  const scan = await fetch(new URL(`/gateway/native/orders/${outTradeNo}/scan`, job.backendUrl), { method: 'POST' });
  if (!scan.ok) throw new Error(`scan refused: ${scan.status}`);
  // The kiosk screen polls; the kiosk dies at the crash point on its way to delivering.
  for (let i = 0; i < 100; i++) {
    const s = await call('kiosk.order.status', { visitId: visit.visitId });
    if (s.state === 'paid') await call('kiosk.deliver', { visitId: visit.visitId });
    await sleep(100);
  }
  result = { notKilled: true };
} else {
  // Nobody at the screen: the kiosk finishes the paid order on its own (issued, printed).
  let state = '';
  for (let i = 0; i < 100 && state !== 'delivered'; i++) {
    state = (core.db.prepare("SELECT state FROM kiosk_orders ORDER BY created_at DESC LIMIT 1").get() as { state: string }).state;
    if (state !== 'delivered') await sleep(100);
  }
  const status = await call('kiosk.status', {});
  // The next customer's visit is offered the pending transaction first and shows it.
  const visit = await call('kiosk.begin', { locale: 'zh-CN' });
  const shown = visit.order ? await call('kiosk.deliver', { visitId: visit.visitId }) : null;
  const after = await call('kiosk.status', {});
  result = { stateBeforeVisit: state, pending: status.pending, visitState: visit.state, shown, pendingAfter: after.pending };
}
await core.syncNow();
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
await core.close();
process.exit(0);
