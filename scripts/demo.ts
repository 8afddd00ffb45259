/**
 * `npm start`: GridDesk on its embedded defaults — the reference billing backend with seeded demo
 * data, a simulated network receipt printer (decoded receipts appear on this console), and the
 * host shell with the counter UI.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startBackend } from '../test/billing-backend/server.js';
import { startPrinterSimulator } from '../kiosk-drivers/printer/simulator.js';
import { runHost } from '../main/host/main.js';

const dataDir = path.resolve(process.env.GRIDDESK_DATA ?? '.data');
mkdirSync(dataDir, { recursive: true });

const backend = await startBackend({ dbPath: path.join(dataDir, 'backend.db'), port: Number(process.env.BACKEND_PORT ?? 8780) });
const printer = await startPrinterSimulator({ port: Number(process.env.PRINTER_PORT ?? 9100) });
let printed = 0;
setInterval(() => {
  const jobs = printer.jobs();
  for (; printed < jobs.length; printed++) {
    console.log(`\n----- receipt #${printed + 1} (simulated printer ${printer.host}:${printer.port}) -----\n${jobs[printed]?.text ?? ''}\n-----`);
  }
}, 300).unref();

const siteConfig = path.join(dataDir, 'demo-terminal.json');
writeFileSync(
  siteConfig,
  JSON.stringify(
    {
      dataDir,
      backend: { url: backend.url },
      printer: { transport: 'network', host: printer.host, port: printer.port },
      // Simulated card reader/writer (with a demo card inserted) and wedge + POS scanners.
      devices: { simulated: true },
      ...(process.env.GRIDDESK_MODE ? { mode: process.env.GRIDDESK_MODE } : {}),
    },
    null,
    2,
  ),
);
console.log(`reference backend: ${backend.url}   printer simulator: ${printer.host}:${printer.port}`);
console.log('demo operators: C001 / PIN 1234 (clerk), S001 / PIN 9999 (supervisor); demo account 3100000001');

const args = ['--config', siteConfig, ...process.argv.slice(2)];
const stopHost = await runHost(args);
const shutdown = () =>
  void stopHost()
    .then(() => Promise.all([printer.close(), backend.close()]))
    .finally(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
