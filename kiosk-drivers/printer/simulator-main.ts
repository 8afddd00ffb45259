/**
 * Standalone printer simulator: `npx tsx kiosk-drivers/printer/simulator-main.ts --port 9100
 * [--host 0.0.0.0] [--columns 48] [--fault paper_out]`. Prints each decoded job to stdout.
 * While running, type a fault name (paper_out, paper_near_end, cover_open, offline,
 * disconnect_mid_job, cutter_error, bad_status, unresponsive) or `none` and Enter to switch.
 */
import { createInterface } from 'node:readline';
import { startPrinterSimulator, type PrinterFault } from './simulator.js';

const FAULTS = ['paper_out', 'paper_out_mid_job', 'paper_near_end', 'cover_open', 'offline', 'disconnect_mid_job', 'cutter_error', 'bad_status', 'unresponsive'] as const;

function parseFault(s: string): PrinterFault | undefined {
  if (s === 'none' || s === '') return null;
  return (FAULTS as readonly string[]).includes(s) ? (s as PrinterFault) : undefined;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const port = Number(arg('port') ?? '9100');
const columns = Number(arg('columns') ?? '48');
const sim = await startPrinterSimulator({ host: arg('host') ?? '127.0.0.1', port, columns });
const initial = parseFault(arg('fault') ?? 'none');
if (initial === undefined) {
  console.error(`unknown fault; use one of: none ${FAULTS.join(' ')}`);
  process.exit(2);
}
sim.setFault(initial);
console.log(`ESC/POS printer simulator on ${sim.host}:${sim.port} (${columns} columns), fault: ${initial ?? 'none'}`);

let shown = 0;
void (async () => {
  for (;;) {
    const job = await sim.waitForJob(shown, 2 ** 31 - 1);
    const width = columns;
    console.log(`\n=== job #${shown + 1} (${job.raw.length} bytes, ${job.cut ? 'cut' : 'NOT cut: connection closed'}) ${'='.repeat(Math.max(0, width - 40))}`);
    console.log(job.text);
    console.log('-'.repeat(width));
    console.log(job.commands.join(' | '));
    shown++;
  }
})();

createInterface({ input: process.stdin }).on('line', (line) => {
  const f = parseFault(line.trim());
  if (f === undefined) console.log(`unknown fault; use one of: none ${FAULTS.join(' ')}`);
  else {
    sim.setFault(f);
    console.log(`fault: ${f ?? 'none'}`);
  }
});

const stop = () => void sim.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
