/**
 * CLI for the reference billing backend:
 *   npx tsx test/billing-backend/main.ts --db .data/backend.db --port 8780 [--host 127.0.0.1]
 *     [--seed 20261127] [--accounts 300] [--seed-date 2026-11-27] [--allow-knobs] [--quiet]
 * Extra terminals: --terminal ID=SECRET (repeatable; replaces the demo terminal when given).
 * Storage: --store sqlite (default, the --db file) or --store pg with --pg-url postgres://… (or
 * GRIDDESK_BACKEND_PG_URL) [--pg-pool N]; on pg only the sync protocol's routes are served (docs/backend.md).
 * Admin routes (enrolment codes, sites, fleet view): --admin-token TOKEN (or GRIDDESK_BACKEND_ADMIN_TOKEN);
 * without one they answer 403.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { startBackend } from './server.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: '.data/backend.db' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8780' },
    seed: { type: 'string' },
    accounts: { type: 'string' },
    'seed-date': { type: 'string' },
    terminal: { type: 'string', multiple: true },
    'allow-knobs': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    store: { type: 'string', default: 'sqlite' },
    'pg-url': { type: 'string' },
    'pg-pool': { type: 'string' },
    'admin-token': { type: 'string' },
  },
  strict: true,
});

function intOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new Error(`--${name} must be a non-negative integer`);
  return Number(text);
}

const terminals = values.terminal?.map((t) => {
  const eq = t.indexOf('=');
  if (eq <= 0) throw new Error('--terminal must be ID=SECRET');
  return [t.slice(0, eq), t.slice(eq + 1)] as const;
});

if (values.store !== 'sqlite' && values.store !== 'pg') throw new Error('--store must be sqlite or pg');
const pgUrl = values['pg-url'] ?? process.env.GRIDDESK_BACKEND_PG_URL;
if (values.store === 'pg' && !pgUrl) throw new Error('--store pg needs --pg-url (or GRIDDESK_BACKEND_PG_URL)');
const store = values.store === 'pg' ? { kind: 'pg' as const, url: pgUrl as string, poolSize: intOption('pg-pool', values['pg-pool']) } : { kind: 'sqlite' as const };

if (store.kind === 'sqlite') mkdirSync(dirname(values.db), { recursive: true });
const t0 = Date.now();
const backend = await startBackend({
  dbPath: values.db,
  host: values.host,
  port: intOption('port', values.port) ?? 8780,
  seed: intOption('seed', values.seed),
  accounts: intOption('accounts', values.accounts),
  seedDate: values['seed-date'],
  terminals: terminals === undefined ? undefined : Object.fromEntries(terminals),
  allowKnobs: values['allow-knobs'],
  store,
  adminToken: values['admin-token'] ?? process.env.GRIDDESK_BACKEND_ADMIN_TOKEN,
  log: values.quiet ? undefined : (line) => console.log(`[backend] ${line}`),
});
const where = store.kind === 'pg' ? `PostgreSQL ${redactPassword(store.url)}` : values.db;
console.log(`[backend] ${backend.seedState} ${where} in ${Date.now() - t0} ms; listening on ${backend.url}`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void backend.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

function redactPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres (unparsable URL)';
  }
}
