/**
 * A bounded fleet run (docs/fleet.md): 50 simulated terminals selling for 20 s against the
 * reference backend on PostgreSQL through faulty links, then the invariant for every terminal —
 * and the checker catching an event lost, one the terminal never made, a payment's amount
 * altered and an event held twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgAvailable } from '../support/pg-cluster.js';
import { checkFleet, type LedgerRow, type TerminalAccount } from './fleet-invariant.js';
import { Fleet, summaryLine, type FleetRunResult } from './fleet-run.js';
import { LINK_FAULT_KINDS } from './link-faults.js';

let fleet: Fleet | undefined;
let result: FleetRunResult;

beforeAll(async () => {
  if (!pgAvailable()) return;
  fleet = await Fleet.start({ terminals: 50, seed: 13, salesPerSecond: 2, pushIntervalMs: 500, pushBatchSize: 20, hostNice: 0 });
  result = await fleet.run({ seconds: 20, faultRate: 0.15 });
  console.log(summaryLine(result));
}, 150_000);

afterAll(async () => {
  await fleet?.close();
}, 60_000);

describe.skipIf(!pgAvailable())('fleet run: 50 terminals on PostgreSQL with link faults', () => {
  it('holds every committed event exactly once, per terminal, with equal sums', async () => {
    expect(result.report.problems).toEqual([]);
    expect(result.terminalProblems).toEqual([]);
    expect(result.report.ok).toBe(true);
    expect(result.report.terminals).toBe(50);
    // Every terminal sold, and the ledger holds exactly what they committed.
    const accounts = await (fleet as Fleet).accounts();
    expect(accounts.every((t) => t.committed.size > 0)).toBe(true);
    expect(result.report.held).toBe(result.report.committed);
    expect(result.payments).toBeGreaterThan(0);
    expect(result.report.paymentFen).toBeGreaterThan(0);
  });

  it('went through every kind of link fault on the way', () => {
    for (const kind of LINK_FAULT_KINDS) expect(result.faults.counts[kind], kind).toBeGreaterThan(0);
  });

  it('reports an event the ledger lost, one the terminal never made and an altered amount', async () => {
    const f = fleet as Fleet;
    const terminals = await f.accounts();
    const victim = terminals[7];
    const payment = [...(victim?.committed ?? [])].find(([, e]) => e.type === 'payment.created');
    expect(payment).toBeDefined();
    const [paymentId] = payment as [string, unknown];
    const other = terminals[8]?.terminalId as string;

    await f.sql('BEGIN');
    try {
      await f.sql('DELETE FROM events WHERE event_id = $1', [paymentId]);
      await f.sql(
        `INSERT INTO events (event_id, terminal_id, seq, type, occurred_at, payload_json, received_at)
         VALUES ('01937a2b-0000-7000-8000-00000000beef', $1, 999999, 'shift.opened', '2026-12-01T00:00:00.000Z', '{}', '2026-12-01T00:00:00.000Z')`,
        [other],
      );
      const firstPayment = [...(terminals[9]?.committed ?? [])].find(([, e]) => e.type === 'payment.created')?.[0] as string;
      await f.sql(`UPDATE events SET payload_json = jsonb_set(payload_json::jsonb, '{amountFen}', to_jsonb((payload_json::jsonb->>'amountFen')::bigint + 1))::text WHERE event_id = $1`, [firstPayment]);
      const report = await f.check();
      expect(report.ok).toBe(false);
      expect(report.failedTerminals).toBe(3);
      const text = report.problems.join('\n');
      expect(text).toContain(`${victim?.terminalId}: committed payment.created ${paymentId} is not in the ledger`);
      expect(text).toContain(`${other}: the ledger holds shift.opened 01937a2b-0000-7000-8000-00000000beef, which the terminal never committed`);
      expect(text).toMatch(new RegExp(`${terminals[9]?.terminalId}: the ledger's payments add up to \\d+ fen, the terminal committed \\d+ fen`));
    } finally {
      await f.sql('ROLLBACK');
    }
    // Put back as it was (the transaction rolled back), the ledger checks out again.
    expect((await f.check()).ok).toBe(true);
  });
});

describe('the fleet invariant checker', () => {
  const terminal = (terminalId: string, events: [string, string, number][], extra: Partial<TerminalAccount> = {}): TerminalAccount => ({
    terminalId,
    committed: new Map(events.map(([id, type, fen]) => [id, { type, amountFen: fen }])),
    paymentsFen: events.filter(([, type]) => type === 'payment.created').reduce((s, [, , fen]) => s + fen, 0),
    pending: 0,
    rejections: [],
    ...extra,
  });
  const row = (terminalId: string, eventId: string, type: string, amountFen = 0): LedgerRow => ({ terminalId, eventId, type, amountFen });
  const a = terminal('T-A', [['e1', 'payment.created', 500], ['e2', 'vend.created', 0]]);
  const b = terminal('T-B', [['e3', 'payment.created', 700]]);
  const good = [row('T-A', 'e1', 'payment.created', 500), row('T-A', 'e2', 'vend.created'), row('T-B', 'e3', 'payment.created', 700)];

  it('passes a ledger that holds exactly what was committed', () => {
    const r = checkFleet([a, b], good);
    expect(r).toMatchObject({ ok: true, terminals: 2, committed: 3, held: 3, paymentFen: 1200, problemCount: 0 });
  });

  it('reports an event held twice, under another terminal, or from a terminal outside the fleet', () => {
    expect(checkFleet([a, b], [...good, row('T-A', 'e1', 'payment.created', 500)]).problems).toContain('T-A: payment.created e1 is in the ledger 2 times');
    const moved = checkFleet([a, b], [row('T-B', 'e1', 'payment.created', 500), row('T-A', 'e2', 'vend.created'), row('T-B', 'e3', 'payment.created', 700)]);
    expect(moved.problems).toContain('T-A: payment.created e1 is held under T-B');
    expect(moved.problems).toContain('T-B: the ledger holds payment.created e1, which the terminal never committed');
    expect(checkFleet([a, b], [...good, row('T-X', 'e9', 'payment.created', 1)]).problems).toContain('T-X: 1 ledger events from a terminal not in the fleet');
  });

  it("reports what is left in an outbox, a rejection and a payments table that disagrees with the commits", () => {
    const r = checkFleet([terminal('T-A', [['e1', 'payment.created', 500], ['e2', 'vend.created', 0]], { pending: 2, paymentsFen: 400, rejections: [{ eventId: 'e7', reason: 'knob' }] }), b], good);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      'T-A: its payments table holds 400 fen, its commits 500 fen',
      'T-A: 2 events still in its outbox after the drain',
      'T-A: the backend rejected e7: knob',
    ]);
  });
});
