import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../kiosk-drivers/errors.js';
import { makeRig, purchase, type CardRig } from '../unit/card/card-fixture.js';

let rig: CardRig | null = null;
afterEach(async () => {
  await rig?.writer.close();
  rig = null;
});

/*
 * A purchase write is six block writes: backup 12, backup 13, mark 10, purchase 8, purchase 9,
 * clear mark 10. Pulling the card after N of them covers every interruption point.
 */
const CASES = [
  { n: 0, outcome: 'nothing_to_recover', landed: false, greyLocked: false },
  { n: 1, outcome: 'nothing_to_recover', landed: false, greyLocked: false },
  { n: 2, outcome: 'nothing_to_recover', landed: false, greyLocked: false },
  { n: 3, outcome: 'rolled_back', landed: false, greyLocked: true },
  { n: 4, outcome: 'rolled_back', landed: false, greyLocked: true },
  { n: 5, outcome: 'completed', landed: true, greyLocked: true },
] as const;

describe('card removed mid-write, then recovery', () => {
  it.each(CASES)('after $n block writes → $outcome, never a double credit', async ({ n, outcome, landed, greyLocked }) => {
    rig = await makeRig();
    const { reader, writer, meter, card } = rig;
    reader.insert(card);
    // An earlier, loaded purchase so the rollback has something real to restore.
    await writer.writePurchase(purchase(0, 3_000, 'P-first'));
    reader.removeCard();
    expect(meter.insert(card).outcome).toBe('loaded');
    reader.insert(card);

    const req = purchase(1, 10_000, 'P-second');
    reader.removeCardAfterWrites(n);
    const err = await writer.writePurchase(req).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).code).toBe('card.removed');
    expect(reader.insertedCard).toBeNull();

    // The meter must refuse a grey-locked card, and must not credit a torn write.
    const early = meter.insert(card);
    if (greyLocked) expect(early).toEqual({ outcome: 'rejected', reason: 'grey_locked' });
    else expect(early.outcome).toBe('nothing_new');
    expect(meter.creditFen).toBe(3_000);

    reader.insert(card);
    const snap = await writer.readCard();
    expect(snap.greyLocked).toBe(greyLocked);
    if (greyLocked) {
      expect(snap.pendingCounter).toBe(2);
      const blocked = await writer.writePurchase(req).catch((e: unknown) => e);
      expect((blocked as DeviceError).code).toBe('card.grey_locked');
    }

    const rec = await writer.recoverPurchase({ purchaseId: req.purchaseId, accountNo: req.accountNo, counterBefore: 1 });
    expect(rec).toMatchObject({ outcome, landed, counter: landed ? 2 : 1 });
    expect((await writer.readCard()).greyLocked).toBe(false);
    // Recovery is idempotent.
    expect(
      await writer.recoverPurchase({ purchaseId: req.purchaseId, accountNo: req.accountNo, counterBefore: 1 }),
    ).toMatchObject({ outcome: 'nothing_to_recover', landed });

    // The vend state machine retries only what did not land; a retry of what landed is a no-op.
    const retry = await writer.writePurchase(req);
    expect(retry).toMatchObject({ outcome: landed ? 'already_written' : 'written', counter: 2 });

    reader.removeCard();
    expect(meter.insert(card)).toEqual({ outcome: 'loaded', counter: 2, amountFen: 10_000 });
    expect(meter.insert(card).outcome).toBe('nothing_new');
    expect(meter.loads).toEqual([
      { counter: 1, amountFen: 3_000 },
      { counter: 2, amountFen: 10_000 },
    ]);
    expect(meter.creditFen).toBe(13_000);
  });

  it('recovery of another purchase id reports landed=false even when the write completed', async () => {
    rig = await makeRig();
    const { reader, writer, card } = rig;
    reader.insert(card);
    reader.removeCardAfterWrites(5);
    await writer.writePurchase(purchase(0, 1_000, 'P-A')).catch(() => undefined);
    reader.insert(card);
    const rec = await writer.recoverPurchase({ purchaseId: 'P-B', accountNo: '3100012345', counterBefore: 0 });
    expect(rec).toMatchObject({ outcome: 'completed', landed: false, counter: 1 });
  });
});
