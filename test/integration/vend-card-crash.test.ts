/**
 * Card vends survive SIGKILL: the core runs in a child process (this same file, started with
 * $VEND_CARD_CRASH_JOB) with the simulated card reader and a simulated card whose memory is kept in
 * a file (written through on every block write, as a real card keeps its EEPROM). The child kills
 * itself at a card step ($GRIDDESK_CRASH_AT); a fresh child on the same database and the same card
 * resumes. Afterwards the meter loads exactly one credit per paid vend, never a second.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

import { buildCore } from '../../main/compose/index.js';
import { DEMO_CARD_MASTER_KEY } from '../../main/compose/devices.js';
import { verifyJournal } from '../../main/store/journal.js';

import { issueGridDeskCard } from '../../kiosk-drivers/card/sim/issue-card.js';
import { SimulatedCard } from '../../kiosk-drivers/card/sim/simulated-card.js';
import { SimulatedMeter } from '../../kiosk-drivers/card/sim/simulated-meter.js';
import { createSimulatedHall } from '../../kiosk-drivers/device-manager/sim/simulated-hall.js';
import { runChildCore } from '../support/child-core.js';
import { DEMO_NOW, startPeers, type Peers } from '../support/stack.js';
import { testTerminalConfig } from '../support/config.js';

const ACCOUNT = '3100000004';

interface Job {
  readonly dataDir: string;
  readonly backendUrl: string;
  readonly printerPort: number;
  readonly cardFile: string;
  readonly startIso: string;
  readonly t0Ms: number;
  readonly purchase: { readonly requestId: string; readonly accountNo: string; readonly method: 'cash'; readonly amount: string } | null;
}

interface CardFile {
  readonly uid: string;
  readonly blocks: readonly string[];
}

function loadCard(file: string): SimulatedCard {
  const f = JSON.parse(readFileSync(file, 'utf8')) as CardFile;
  const card = new SimulatedCard({ uid: Uint8Array.from(Buffer.from(f.uid, 'hex')) });
  f.blocks.forEach((hex, i) => (card.blocks[i] as Uint8Array).set(Buffer.from(hex, 'hex')));
  return card;
}

function saveCard(file: string, card: SimulatedCard): void {
  const f: CardFile = { uid: Buffer.from(card.uid).toString('hex'), blocks: card.blocks.map((b) => Buffer.from(b).toString('hex')) };
  writeFileSync(file, JSON.stringify(f));
}

/** The child: a whole core with the simulated hall, the persisted card in the reader. */
async function runChild(job: Job): Promise<void> {
  const start = new Date(job.startIso).getTime();
  const clock = () => new Date(start + (Date.now() - job.t0Ms));
  const config = testTerminalConfig({
    dataDir: job.dataDir,
    backend: { url: job.backendUrl, lookupTimeoutMs: 3000 },
    printer: { transport: 'network', host: '127.0.0.1', port: job.printerPort },
    devices: { simulated: true, printerPollMs: 1000, cardPollMs: 100, reconnect: { initialMs: 100, maxMs: 1000 } },
  });
  const card = loadCard(job.cardFile);
  // Write-through: every block write reaches the file before the reader answers.
  const write = card.writeBlock.bind(card);
  card.writeBlock = (block, keyType, key, data) => {
    const status = write(block, keyType, key, data);
    saveCard(job.cardFile, card);
    return status;
  };
  const hall = createSimulatedHall();
  hall.cardReader.insert(card);
  const core = buildCore(config, { hall, clock });
  const devices = core.devices!;
  await core.refreshOperators();
  const supervisor = core.newSession('crash-supervisor');
  await core.dispatch('session.signIn', { operatorId: 'S001', pin: '9999' }, supervisor);
  // Resume once the reader is open (the start-up resume may have run before it was).
  for (let i = 0; i < 100 && !devices.list().some((d) => d.id === 'cardReader' && d.connection === 'connected'); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const resumed = await core.dispatch('vend.resume', {}, supervisor);
  let purchased: unknown = null;
  if (job.purchase) {
    const clerk = core.newSession('crash-clerk');
    await core.dispatch('session.signIn', { operatorId: 'C001', pin: '1234' }, clerk);
    purchased = await core.dispatch('vend.purchase', { ...job.purchase, delivery: 'print' }, clerk);
  }
  process.stdout.write(`RESULT ${JSON.stringify({ resumed, purchased })}\n`);
  await core.close();
  process.exit(0);
}

const childJob = process.env.VEND_CARD_CRASH_JOB;
if (childJob) {
  await runChild(JSON.parse(childJob) as Job);
} else {
  const { afterAll, beforeAll, describe, expect, it } = await import('vitest');
  const SELF = fileURLToPath(import.meta.url);
  const T0 = Date.now();
  let dir = '';
  let backend: Peers['backend'];
  let printer: Peers['printer'];
  let uid = 0x40;

  const runCore = (cardFile: string, purchase: Job['purchase'], crashAt: string | null) => {
    const job: Job = { dataDir: path.join(dir, 'terminal'), backendUrl: backend.url, printerPort: printer.port, cardFile, startIso: DEMO_NOW.toISOString(), t0Ms: T0, purchase };
    return runChildCore(SELF, 'VEND_CARD_CRASH_JOB', job, crashAt);
  };

  const inspect = (vendId: string) => {
    const db = new Database(path.join(dir, 'terminal', 'T-HALL-01.db'), { readonly: true });
    try {
      const vend = db.prepare('SELECT state, card_amount_fen, card_counter_after FROM vends WHERE vend_id = ?').get(vendId) as {
        state: string;
        card_amount_fen: number;
        card_counter_after: number | null;
      };
      const types = (db.prepare('SELECT type, payload FROM journal WHERE ref = ? ORDER BY seq').all(vendId) as { type: string; payload: string }[]).map((r) => ({
        type: r.type,
        payload: JSON.parse(r.payload) as Record<string, unknown>,
      }));
      return { vend, types, journalOk: verifyJournal(db).ok };
    } finally {
      db.close();
    }
  };

  let peers: Peers;
  beforeAll(async () => {
    peers = await startPeers('gd-vend-card-crash-', T0);
    ({ dir, backend, printer } = peers);
  });

  afterAll(async () => peers.dispose());

  describe('card vend survives SIGKILL', () => {
    it.each([
      // Credit issued, nothing on the card yet: resume writes it.
      { point: 'vend.token_issued', attempts: 1, recovered: null },
      // Killed with the card marked (grey-locked) and the old record: resume rolls back and writes again.
      { point: 'vend.card_marked', attempts: 2, recovered: 'rolled_back' },
      // Killed after the write and read-back, before the delivered commit: resume finds it on the card.
      { point: 'vend.card_written', attempts: 1, recovered: 'nothing_to_recover' },
    ])('killed at $point, resumed: exactly one credit', async ({ point, attempts, recovered }) => {
      const m = backend.db.prepare("SELECT meter_no, card_generation FROM meters WHERE account_no = ? AND kind = 'card'").get(ACCOUNT) as {
        meter_no: string;
        card_generation: number;
      };
      uid++;
      const cardFile = path.join(dir, `card-${uid}.json`);
      saveCard(cardFile, issueGridDeskCard({ masterKey: DEMO_CARD_MASTER_KEY, uid: Uint8Array.of(0x04, 0xcc, 0x00, uid), accountNo: ACCOUNT, meterNo: m.meter_no, generation: m.card_generation }));
      const purchase = { requestId: randomUUID(), accountNo: ACCOUNT, method: 'cash' as const, amount: '66' };

      const crashed = await runCore(cardFile, purchase, point);
      expect(crashed.signal).toBe('SIGKILL');
      const db = new Database(path.join(dir, 'terminal', 'T-HALL-01.db'), { readonly: true });
      const row = db.prepare('SELECT vend_id, state FROM vends WHERE request_id = ?').get(purchase.requestId) as { vend_id: string; state: string };
      db.close();
      expect(row.state).toBe('token_issued');

      // Restart: resume (and the clerk's retry of the same request) finish the same vend.
      await runCore(cardFile, purchase, null);
      const after = inspect(row.vend_id);
      expect(after.vend.state).toBe('delivered');
      expect(after.vend.card_counter_after).toBe(1);
      const count = (t: string) => after.types.filter((e) => e.type === t).length;
      expect(count('vend.paid')).toBe(1);
      expect(count('vend.token_issued')).toBe(1);
      expect(count('vend.delivered')).toBe(1);
      expect(count('vend.card_write_started')).toBe(attempts);
      const rec = after.types.find((e) => e.type === 'vend.card_recovered')?.payload.outcome ?? null;
      expect(rec).toBe(recovered);
      expect(after.journalOk).toBe(true);

      // The meter loads the purchase exactly once.
      const meter = new SimulatedMeter({ masterKey: DEMO_CARD_MASTER_KEY, meterNo: m.meter_no, generation: m.card_generation, clock: () => 1_800_000_000 });
      const card = loadCard(cardFile);
      expect(meter.insert(card)).toEqual({ outcome: 'loaded', counter: 1, amountFen: after.vend.card_amount_fen });
      expect(meter.insert(card)).toEqual({ outcome: 'nothing_new', counter: 1 });
      expect(meter.loads).toHaveLength(1);
    }, 60_000);
  });
}
