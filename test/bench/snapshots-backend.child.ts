/**
 * The reference backend for the snapshot benchmark, in its own process (its memory and CPU are
 * not the core's): seeds `accounts` accounts into `dbPath` once (the file is reused by later runs)
 * and prints `READY <url> <seedState> <seedSeconds>`. SIGTERM closes it.
 */
import { startBackend } from '../billing-backend/server.js';

const [dbPath, accounts] = process.argv.slice(2);
if (dbPath === undefined || accounts === undefined) throw new Error('usage: snapshots-backend.child.ts <dbPath> <accounts>');
const t0 = performance.now();
const backend = await startBackend({ dbPath, accounts: Number(accounts), seedDate: '2026-11-27' });
process.stdout.write(`READY ${backend.url} ${backend.seedState} ${((performance.now() - t0) / 1000).toFixed(1)}\n`);
process.on('SIGTERM', () => void backend.close().then(() => process.exit(0)));
