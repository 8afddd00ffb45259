/**
 * Card vends (本地费控): what the vend state machine needs from the card reader/writer, and the
 * checks that refuse a card BEFORE any money is taken. The write itself (mark → write → read back →
 * clear) and its recovery live in kiosk-drivers/card; the vend journals every step around them.
 */
import type { CardWriter } from '../../../kiosk-drivers/card/card-reader.js';
import type { PrepaidCardSnapshot } from '../../../kiosk-drivers/card/prepaid-card-format.js';
import type { CardReadResult } from '../../../kiosk-drivers/device-manager/device-manager.js';
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import { AppError } from '../../contract/index.js';

/** The slice of the device manager a card vend uses. */
export interface CardDevices {
  readCard(): Promise<CardReadResult>;
  cardWriter(): CardWriter;
}

export interface CardExpectation {
  readonly accountNo: string;
  readonly meterNo: string;
  readonly generation: number;
}

/**
 * Why this card may not take a new purchase for this meter, or null when it may. Order matters:
 * a card of another account says so before anything about its state.
 */
export function cardRefusal(snap: PrepaidCardSnapshot, want: CardExpectation): AppError | null {
  const id = snap.identity;
  if (id.accountNo !== want.accountNo || id.meterNo !== want.meterNo) {
    return new AppError('vending.card_other_account', {
      accountNo: want.accountNo,
      meterNo: want.meterNo,
      cardAccountNo: id.accountNo,
      cardMeterNo: id.meterNo,
      cardSerial: snap.cardSerial,
    });
  }
  if (id.generation !== want.generation) {
    return new AppError('vending.card_generation_mismatch', { cardGeneration: id.generation, meterGeneration: want.generation, cardSerial: snap.cardSerial });
  }
  if (snap.greyLocked || snap.purchase === null) {
    return new AppError('vending.card_grey_locked', { cardSerial: snap.cardSerial, pendingCounter: snap.pendingCounter ?? 0 });
  }
  if (!snap.previousLoaded) {
    return new AppError('vending.card_previous_not_loaded', {
      cardSerial: snap.cardSerial,
      counter: snap.purchase.counter,
      meterLoadedCounter: snap.meter.lastLoadedCounter,
    });
  }
  return null;
}

/**
 * Reads the card in the reader for a purchase. Reader problems become "card writer unavailable",
 * no card becomes "insert the card"; a foreign or damaged card keeps its own card.* code.
 */
export async function readCardForVend(cards: CardDevices | null): Promise<PrepaidCardSnapshot> {
  if (!cards) throw new AppError('vending.card_writer_unavailable', { reason: 'device.not_found' });
  try {
    return (await cards.readCard()).snapshot;
  } catch (err) {
    throw vendCardError(err);
  }
}

/** The card writer, or a typed refusal when the reader is not configured or not connected. */
export function writerForVend(cards: CardDevices | null): CardWriter {
  if (!cards) throw new AppError('vending.card_writer_unavailable', { reason: 'device.not_found' });
  try {
    return cards.cardWriter();
  } catch (err) {
    throw vendCardError(err);
  }
}

function vendCardError(err: unknown): unknown {
  if (!(err instanceof DeviceError)) return err;
  if (err.code === 'card.absent') return new AppError('vending.card_absent');
  if (err.code.startsWith('device.') || err.code.startsWith('hid.')) {
    return new AppError('vending.card_writer_unavailable', { reason: err.code });
  }
  return err;
}

/** Card-delivery fault-injection points for the crash tests (same switch as vend/crash-point.ts). */
export type CardCrashPoint = 'vend.card_marked' | 'vend.card_written';

export function cardCrashPoint(name: CardCrashPoint): void {
  if (process.env.GRIDDESK_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}
