/**
 * The seam for a prepaid card application (本地费控购电卡). GridDesk ships a reference format
 * (griddesk-card-format.ts); a utility's own format implements the same interface and is chosen
 * at the composition root. All failures are DeviceError with `card.*` / `hid.*` / `device.*` codes.
 */
import type { CardCommands, CardType } from './card-commands.js';

/** The card currently in the reader. */
export interface CardSession {
  readonly commands: CardCommands;
  readonly uid: Uint8Array;
  readonly type: CardType;
}

export interface CardIdentity {
  readonly accountNo: string;
  readonly meterNo: string;
  /** Card protocol generation; must equal the meter's. */
  readonly generation: number;
  readonly formatVersion: number;
}

export interface CardPurchase {
  /** Purchase count (购电次数) of the last purchase written to the card. */
  readonly counter: number;
  readonly amountFen: number;
  /** 0.01 kWh. */
  readonly energyCentiKwh: number;
  /** Hex of the 8-byte purchase tag (zeros on a new card). */
  readonly purchaseTag: string;
}

export interface CardMeterState {
  /** The meter's last loaded purchase count. */
  readonly lastLoadedCounter: number;
  readonly remainingCreditFen: number;
  readonly totalLoadedFen: number;
  readonly totalEnergyCentiKwh: number;
  readonly status: number;
  /** Unix seconds; 0 = the card has not been in the meter yet. */
  readonly loadedAt: number;
}

export interface PrepaidCardSnapshot {
  readonly format: string;
  /** Card serial: the card UID in upper-case hex. */
  readonly cardSerial: string;
  readonly identity: CardIdentity;
  /** Null only when grey-locked with a torn purchase record. */
  readonly purchase: CardPurchase | null;
  readonly meter: CardMeterState;
  /** A write was interrupted (灰锁): recoverPurchase must run before the next purchase. */
  readonly greyLocked: boolean;
  /** The counter an interrupted write was going to set, when grey-locked. */
  readonly pendingCounter: number | null;
  /** The meter has loaded the last purchase (write-back counter == purchase counter). */
  readonly previousLoaded: boolean;
}

export interface WritePurchaseRequest {
  /** Journal id of the purchase; written to the card as a tag so a retry is recognised. */
  readonly purchaseId: string;
  readonly accountNo: string;
  readonly meterNo: string;
  /** The meter's card generation. */
  readonly meterGeneration: number;
  /** The card's purchase counter as read (and journaled) before the purchase. */
  readonly counterBefore: number;
  readonly amountFen: number;
  readonly energyCentiKwh: number;
}

export type WriteStep = 'checked' | 'backed_up' | 'marked' | 'written' | 'verified' | 'cleared';

export interface WritePurchaseResult {
  readonly outcome: 'written' | 'already_written';
  /** The card's purchase counter after the call (counterBefore + 1). */
  readonly counter: number;
  readonly cardSerial: string;
}

export interface RecoverPurchaseRequest {
  readonly purchaseId: string;
  readonly accountNo: string;
  /**
   * The meter the purchase was for. When given, a card bound to another meter is refused
   * (`card.account_mismatch`) before anything is written; callers should always pass it.
   */
  readonly meterNo?: string;
  readonly counterBefore: number;
}

export interface RecoverPurchaseResult {
  /** completed: the interrupted write had landed, mark cleared. rolled_back: old record restored.
   *  nothing_to_recover: the card was not grey-locked. */
  readonly outcome: 'completed' | 'rolled_back' | 'nothing_to_recover';
  /** Whether *this* purchase (by purchaseId and counter) is now on the card. */
  readonly landed: boolean;
  readonly counter: number;
  readonly cardSerial: string;
}

export interface PrepaidCardFormat {
  readonly name: string;
  read(card: CardSession): Promise<PrepaidCardSnapshot>;
  /**
   * Read, check ownership/generation/previous-loaded/counter, mark write-in-progress, write
   * counter + 1, read back, verify, clear the mark. `onStep` fires after each durable step so the
   * vend state machine can journal it.
   */
  writePurchase(
    card: CardSession,
    req: WritePurchaseRequest,
    onStep?: (step: WriteStep) => void,
  ): Promise<WritePurchaseResult>;
  /** Resolves a grey-locked card from its counters: finish or roll back, never a second credit. */
  recoverPurchase(card: CardSession, req: RecoverPurchaseRequest): Promise<RecoverPurchaseResult>;
}
