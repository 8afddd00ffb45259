/**
 * A snapshot's appliedSeq is of the same moment as the snapshot (docs/backend.md, "Storage"): the
 * terminal lays its own payments after appliedSeq over the snapshot, so a seq read after the
 * snapshot would hide a payment and one read before would count it twice. Payments into one
 * account are pushed one after another while the account is read again and again by number, by
 * search and through the change feed; every read, on both stores, must show exactly the payments
 * up to its appliedSeq.
 */
import { describe, expect, it } from 'vitest';
import { BackendClient } from '../../../main/sync/backend-client.js';
import type { AccountSnapshot, TerminalEvent } from '../../../main/wire/backend-wire.js';
import { DEFAULT_SEED, seedAccounts } from '../seed.js';
import { TEST_NOW } from '../testing.js';
import { bothStores, KINDS, type Kind } from './both-stores.js';

const AREA = 20;
const PAYMENTS = 120;
const FEN = 100;
const TERMINAL = { id: 'T-SEQ-01', secret: 'seq-secret-0123456789abcdef0123456789ab' };

const { backends } = bothStores({ accounts: AREA, terminals: { [TERMINAL.id]: TERMINAL.secret } }, 60_000);
const client = (kind: Kind): BackendClient =>
  new BackendClient({ baseUrl: backends[kind].backend.url, terminalId: TERMINAL.id, secret: TERMINAL.secret, now: () => TEST_NOW, log: () => undefined });

const area = [...seedAccounts({ seed: DEFAULT_SEED, accounts: AREA, seedDate: TEST_NOW.toISOString().slice(0, 10) })];
const payer = area.find((a) => a.status !== 'closed') as AccountSnapshot;

const payment = (seq: number): TerminalEvent => ({
  eventId: `01937a2b-0000-7000-8000-${seq.toString(16).padStart(12, '0')}`,
  seq,
  type: 'payment.created',
  occurredAt: TEST_NOW.toISOString(),
  payload: { paymentId: `P-SEQ-${seq}`, accountNo: payer.accountNo, method: 'cash', amountFen: FEN, allocations: [], toBalanceFen: FEN, operatorId: 'C001' },
});

describe.each(KINDS)('appliedSeq under concurrent intake (%s)', (kind) => {
  it('every read of the account shows exactly the payments up to its appliedSeq', async () => {
    const c = client(kind);
    const reads: { via: string; balanceFen: number; appliedSeq: number | undefined }[] = [];
    let pushing = true;
    const pusher = (async () => {
      try {
        for (let seq = 1; seq <= PAYMENTS; seq++) expect((await c.pushEvents([payment(seq)], 10_000)).results[0]?.status).toBe('accepted');
      } finally {
        pushing = false;
      }
    })();
    const reader = (async () => {
      let round = 0;
      while (pushing) {
        round += 1;
        const via = ['account', 'search', 'changes'][round % 3] as string;
        const snap =
          via === 'account'
            ? await c.getAccount(payer.accountNo, 10_000)
            : via === 'search'
              ? (await c.search(payer.accountNo, 10_000)).find((a) => a.accountNo === payer.accountNo)
              : (await c.changes(String(AREA), 500, 10_000)).items.find((a) => a.accountNo === payer.accountNo);
        if (snap) reads.push({ via, balanceFen: snap.balanceFen, appliedSeq: snap.appliedSeq });
      }
    })();
    await Promise.all([pusher, reader]);
    expect(reads.length).toBeGreaterThan(30);
    const wrong = reads.filter((r) => r.balanceFen !== payer.balanceFen + FEN * (r.appliedSeq ?? -1));
    expect(wrong).toEqual([]);
    // The reads saw the payments arrive, not only the start or the end.
    expect(new Set(reads.map((r) => r.appliedSeq)).size).toBeGreaterThan(5);
  }, 120_000);
});
