/**
 * `npm start`: GridDesk on its embedded defaults — the reference billing backend with seeded demo
 * data, a simulated network receipt printer (decoded receipts appear on this console), and the
 * host shell with the counter UI (or the kiosk's, with GRIDDESK_MODE=kiosk).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startBackend } from '../test/billing-backend/server.js';
import { startPrinterSimulator } from '../kiosk-drivers/printer/simulator.js';
import { runHost } from '../main/host/main.js';
import { installLastResort } from '../main/last-resort.js';
import { demoSiteConfig } from './demo-site.js';
import { enrolmentFailureMessage, enrolledSiteConfig, provisionTerminal } from '../main/provisioning/provision.js';
import { loadLocale, translator } from '../main/i18n/locales.js';

const dataDir = path.resolve(process.env.GRIDDESK_DATA ?? '.data');
mkdirSync(dataDir, { recursive: true });

/** A port from the environment (0 = any free port); a bad value stops the demo with one line. */
function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`demo: ${name}=${raw} is not a port (0-65535)`);
    process.exit(2);
  }
  return port;
}

const isPortBusy = (e: unknown): boolean => {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'EADDRINUSE' || code === 'EACCES';
};

/** Whether 127.0.0.1:port can be bound now; checked first so a busy port never half-starts a service. */
function portFree(port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(true);
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (e) => (isPortBusy(e) ? resolve(false) : reject(e)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Starts on the configured port, or on an ephemeral one (with one line saying so) when it is taken. */
async function onFreePort<T>(what: string, envName: string, port: number, start: (port: number) => Promise<T>): Promise<T> {
  const fallBack = () => {
    console.log(`demo: port ${port} (${envName}) is in use; the ${what} takes a free port instead`);
    return start(0);
  };
  if (!(await portFree(port))) return fallBack();
  try {
    return await start(port);
  } catch (e) {
    // Lost a race with another process between the probe and the listen.
    if (isPortBusy(e)) return fallBack();
    throw e;
  }
}

const backend = await onFreePort('reference backend', 'BACKEND_PORT', portFromEnv('BACKEND_PORT', 8780), (port) =>
  startBackend({ dbPath: path.join(dataDir, 'backend.db'), port }),
);
const printer = await onFreePort('printer simulator', 'PRINTER_PORT', portFromEnv('PRINTER_PORT', 9100), (port) => startPrinterSimulator({ port }));
let printed = 0;
setInterval(() => {
  const jobs = printer.jobs();
  for (; printed < jobs.length; printed++) {
    console.log(`\n----- receipt #${printed + 1} (simulated printer ${printer.host}:${printer.port}) -----\n${jobs[printed]?.text ?? ''}\n-----`);
  }
}, 300).unref();

// A kiosk's QR code is paid from the customer's phone, which cannot reach this loopback demo: each
// new code's URL is printed with the one command that pays it, as the phone would.
if (process.env.GRIDDESK_MODE === 'kiosk') {
  const shown = new Set<string>();
  setInterval(() => {
    const pending = backend.db
      .prepare("SELECT out_trade_no AS outTradeNo, amount_fen AS amountFen, code FROM gateway_native_orders WHERE status = 'pending'")
      .all() as { outTradeNo: string; amountFen: number; code: string }[];
    for (const o of pending) {
      if (shown.has(o.outTradeNo)) continue;
      shown.add(o.outTradeNo);
      console.log(`demo: QR order ${o.outTradeNo} for ¥${(o.amountFen / 100).toFixed(2)} — pay it as the customer's phone would: curl -X POST ${backend.url}/gateway/native/qr/${o.code}`);
    }
  }, 500).unref();
}

// `npm start -- --enrol CODE` (a code from `npm run enrol-code -- --db .data/backend.db --site HALL01
// --mode kiosk`): this start enrols a new terminal with the demo backend and runs as it, with its
// own credentials file and data under .data/enrolled/ (docs/deploy/README.md, "Enrol a terminal").
const enrolAt = process.argv.indexOf('--enrol');
let siteTree = demoSiteConfig({ dataDir, backendUrl: backend.url, printer, ...(process.env.GRIDDESK_MODE ? { mode: process.env.GRIDDESK_MODE } : {}) });
if (enrolAt >= 0) {
  const code = process.argv[enrolAt + 1] ?? '';
  const t = translator(loadLocale(/^en/i.test(process.env.LANG ?? '') ? 'en' : 'zh-CN'));
  try {
    const done = await provisionTerminal({ backendUrl: backend.url, code, dir: path.join(dataDir, 'enrolled'), replace: true });
    console.log(t('enrolment.done', { terminalId: done.reply.terminalId, mode: done.reply.mode, siteId: done.reply.siteId, credentials: done.credentialsPath, site: done.sitePath }));
    const enrolledData = path.join(dataDir, 'enrolled', 'data');
    siteTree = { ...demoSiteConfig({ dataDir: enrolledData, backendUrl: backend.url, printer }), ...enrolledSiteConfig(done.reply, { backendUrl: backend.url, dataDir: enrolledData }), credentialsFile: done.credentialsPath };
  } catch (err) {
    console.error(enrolmentFailureMessage(t, err, { backendUrl: backend.url }));
    await Promise.all([printer.close(), backend.close()]);
    process.exit(1);
  }
  process.argv.splice(enrolAt, 2);
}
const siteConfig = path.join(dataDir, 'demo-terminal.json');
writeFileSync(siteConfig, JSON.stringify(siteTree, null, 2));
console.log(`reference backend: ${backend.url}   printer simulator: ${printer.host}:${printer.port}`);
console.log('demo operators: C001 / PIN 1234 (clerk), S001 / PIN 9999 (supervisor), M001 / PIN 5678 (manager), A001 / PIN 5555 (auditor); demo account 3100000001');

const args = ['--config', siteConfig, ...process.argv.slice(2)];
let stopHost: (() => Promise<void>) | null = null;
let shuttingDown = false;
const shutdown = () => {
  if (shuttingDown) return;
  shuttingDown = true;
  void (stopHost ?? (async () => undefined))()
    .then(() => Promise.all([printer.close(), backend.close()]))
    .finally(() => process.exit(0));
};
// An error nothing caught closes the core cleanly and exits (main/last-resort.ts says why).
installLastResort(process, { stop: () => stopHost });
// Under Electron, closing its window ends the demo (backend and printer simulator too).
stopHost = await runHost(args, { onUiExit: shutdown });
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
