/**
 * GridDesk's reference prepaid card format (docs/devices/prepaid-card.md) on contactless
 * Mifare-like cards, behind PrepaidCardFormat.
 */
import { DeviceError, type DeviceErrorDetails } from '../errors.js';
import type { SectorKey } from '../hid/card-protocol.js';
import { constantTimeEqual, deriveCardKeys, purchaseTag, type CardKeys } from './card-crypto.js';
import {
  bytesToHex,
  decodeIdentity,
  decodeMark,
  decodePurchase,
  decodeWriteBack,
  encodeMark,
  encodePurchase,
  FORMAT_VERSION,
  identityHeader,
  LAYOUT,
  type IdentityRecord,
  type MarkRecord,
  type PurchaseRecord,
  type WriteBackRecord,
} from './card-layout.js';
import type {
  CardSession,
  PrepaidCardFormat,
  PrepaidCardSnapshot,
  RecoverPurchaseRequest,
  RecoverPurchaseResult,
  WritePurchaseRequest,
  WritePurchaseResult,
  WriteStep,
} from './prepaid-card-format.js';

interface RawCard {
  readonly keys: CardKeys;
  readonly sector: SectorKey;
  readonly identity: IdentityRecord;
  readonly purchase: PurchaseRecord | null;
  readonly purchaseBlocks: readonly [Uint8Array, Uint8Array];
  readonly mark: MarkRecord;
  readonly writeBack: WriteBackRecord;
}

/** Maps "no card" to "card removed" once the card has answered within this operation. */
class Op {
  private touched = false;
  step = 'read';
  constructor(private readonly card: CardSession) {}

  async read(block: number, key: SectorKey): Promise<Uint8Array> {
    return this.guard(() => this.card.commands.readBlock(block, key));
  }
  async write(block: number, key: SectorKey, data: Uint8Array): Promise<void> {
    return this.guard(() => this.card.commands.writeBlock(block, key, data));
  }
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      const r = await fn();
      this.touched = true;
      return r;
    } catch (err) {
      if (err instanceof DeviceError) {
        if (err.code === 'card.absent' && this.touched) {
          throw new DeviceError('card.removed', { ...err.details, step: this.step });
        }
        if (err.code === 'card.removed') throw new DeviceError('card.removed', { ...err.details, step: this.step });
      }
      throw err;
    }
  }
}

export class GridDeskPrepaidCardFormat implements PrepaidCardFormat {
  readonly name = 'griddesk-v1';
  private readonly masterKey: Uint8Array;

  /** `masterKey` comes from the utility's key store at run time; never from config files. */
  constructor(masterKey: Uint8Array) {
    if (masterKey.length < 16) throw new RangeError('master key must be at least 16 bytes');
    this.masterKey = masterKey.slice();
  }

  async read(card: CardSession): Promise<PrepaidCardSnapshot> {
    const raw = await this.readRaw(card, new Op(card));
    return this.snapshot(card, raw);
  }

  async writePurchase(
    card: CardSession,
    req: WritePurchaseRequest,
    onStep: (step: WriteStep) => void = () => {},
  ): Promise<WritePurchaseResult> {
    validateAmounts(req);
    const op = new Op(card);
    const raw = await this.readRaw(card, op);
    const serial = bytesToHex(card.uid);
    const base: DeviceErrorDetails = { cardSerial: serial, purchaseId: req.purchaseId };
    if (raw.identity.accountNo !== req.accountNo || raw.identity.meterNo !== req.meterNo) {
      throw new DeviceError('card.account_mismatch', {
        ...base,
        cardAccountNo: raw.identity.accountNo,
        cardMeterNo: raw.identity.meterNo,
      });
    }
    if (raw.identity.generation !== req.meterGeneration) {
      throw new DeviceError('card.generation_mismatch', {
        ...base,
        cardGeneration: raw.identity.generation,
        meterGeneration: req.meterGeneration,
      });
    }
    if (raw.mark.writeInProgress || raw.purchase === null) {
      throw new DeviceError('card.grey_locked', { ...base, pendingCounter: raw.mark.counterAfter });
    }
    const tag = purchaseTag(req.purchaseId);
    const p = raw.purchase;
    if (p.counter === req.counterBefore + 1 && constantTimeEqual(p.tag, tag)) {
      return { outcome: 'already_written', counter: p.counter, cardSerial: serial };
    }
    if (p.counter !== req.counterBefore) {
      throw new DeviceError('card.counter_mismatch', { ...base, expected: req.counterBefore, actual: p.counter });
    }
    if (raw.writeBack.lastLoadedCounter !== p.counter) {
      throw new DeviceError('card.previous_not_loaded', {
        ...base,
        purchaseCounter: p.counter,
        meterLoadedCounter: raw.writeBack.lastLoadedCounter,
      });
    }
    onStep('checked');

    const next: PurchaseRecord = {
      counter: p.counter + 1,
      amountFen: req.amountFen,
      energyCentiKwh: req.energyCentiKwh,
      tag,
    };
    const [n8, n9] = encodePurchase(next, raw.keys);
    const k = raw.sector;
    op.step = 'backup';
    await op.write(LAYOUT.backup[0], k, raw.purchaseBlocks[0]);
    await op.write(LAYOUT.backup[1], k, raw.purchaseBlocks[1]);
    onStep('backed_up');
    op.step = 'mark';
    const mark: MarkRecord = { writeInProgress: true, counterBefore: p.counter, counterAfter: next.counter };
    await op.write(LAYOUT.mark, k, encodeMark(mark, raw.keys));
    onStep('marked');
    op.step = 'write';
    await op.write(LAYOUT.purchase[0], k, n8);
    await op.write(LAYOUT.purchase[1], k, n9);
    onStep('written');
    op.step = 'verify';
    const r8 = await op.read(LAYOUT.purchase[0], k);
    const r9 = await op.read(LAYOUT.purchase[1], k);
    if (!constantTimeEqual(r8, n8) || !constantTimeEqual(r9, n9)) {
      // The mark stays set: recoverPurchase decides from what is really on the card.
      throw new DeviceError('card.write_verify_failed', { ...base, counter: next.counter });
    }
    onStep('verified');
    op.step = 'clear';
    await op.write(LAYOUT.mark, k, encodeMark({ ...mark, writeInProgress: false }, raw.keys));
    onStep('cleared');
    return { outcome: 'written', counter: next.counter, cardSerial: serial };
  }

  async recoverPurchase(card: CardSession, req: RecoverPurchaseRequest): Promise<RecoverPurchaseResult> {
    const op = new Op(card);
    const raw = await this.readRaw(card, op);
    const serial = bytesToHex(card.uid);
    if (raw.identity.accountNo !== req.accountNo || (req.meterNo !== undefined && raw.identity.meterNo !== req.meterNo)) {
      throw new DeviceError('card.account_mismatch', {
        cardSerial: serial,
        cardAccountNo: raw.identity.accountNo,
        cardMeterNo: raw.identity.meterNo,
      });
    }
    const tag = purchaseTag(req.purchaseId);
    const isThis = (p: PurchaseRecord | null): boolean =>
      p !== null && p.counter === req.counterBefore + 1 && constantTimeEqual(p.tag, tag);
    const k = raw.sector;

    if (!raw.mark.writeInProgress) {
      const p = raw.purchase;
      if (p === null) throw new DeviceError('card.mac_invalid', { cardSerial: serial, record: 'purchase' });
      return { outcome: 'nothing_to_recover', landed: isThis(p), counter: p.counter, cardSerial: serial };
    }

    const mark = raw.mark;
    if (raw.purchase !== null && raw.purchase.counter === mark.counterAfter) {
      // The new record is complete and authentic: the purchase landed. Finish it.
      op.step = 'clear';
      await op.write(LAYOUT.mark, k, encodeMark({ ...mark, writeInProgress: false }, raw.keys));
      return { outcome: 'completed', landed: isThis(raw.purchase), counter: raw.purchase.counter, cardSerial: serial };
    }

    // Did not land: put the previous record back from the backup, then clear the mark.
    op.step = 'restore';
    const b12 = await op.read(LAYOUT.backup[0], k);
    const b13 = await op.read(LAYOUT.backup[1], k);
    const backup = decodePurchase(b12, b13, raw.keys);
    if (!backup.ok || backup.value.counter !== mark.counterBefore) {
      throw new DeviceError('card.mac_invalid', { cardSerial: serial, record: 'backup' });
    }
    const current = raw.purchase;
    if (current === null || !constantTimeEqual(raw.purchaseBlocks[0], b12) || !constantTimeEqual(raw.purchaseBlocks[1], b13)) {
      await op.write(LAYOUT.purchase[0], k, b12);
      await op.write(LAYOUT.purchase[1], k, b13);
      const r8 = await op.read(LAYOUT.purchase[0], k);
      const r9 = await op.read(LAYOUT.purchase[1], k);
      if (!constantTimeEqual(r8, b12) || !constantTimeEqual(r9, b13)) {
        throw new DeviceError('card.write_verify_failed', { cardSerial: serial, step: 'restore' });
      }
    }
    op.step = 'clear';
    await op.write(LAYOUT.mark, k, encodeMark({ ...mark, writeInProgress: false }, raw.keys));
    return { outcome: 'rolled_back', landed: false, counter: backup.value.counter, cardSerial: serial };
  }

  private async readRaw(card: CardSession, op: Op): Promise<RawCard> {
    const serial = bytesToHex(card.uid);
    if (card.type !== 'contactless') {
      throw new DeviceError('card.unsupported_type', { cardSerial: serial, type: card.type });
    }
    const keys = deriveCardKeys(this.masterKey, card.uid);
    const sector: SectorKey = { type: 'a', key: keys.sectorKey };
    let b4: Uint8Array;
    try {
      b4 = await op.read(LAYOUT.identity[0], sector);
    } catch (err) {
      // Our diversified key does not open it: issued by someone else (or blank).
      if (err instanceof DeviceError && err.code === 'card.auth_failed') {
        throw new DeviceError('card.foreign', { cardSerial: serial, reason: 'auth' });
      }
      throw err;
    }
    const header = identityHeader(b4);
    if (!header.magicOk) throw new DeviceError('card.foreign', { cardSerial: serial, reason: 'magic' });
    if (header.formatVersion !== FORMAT_VERSION) {
      throw new DeviceError('card.format_unsupported', { cardSerial: serial, formatVersion: header.formatVersion });
    }
    const b5 = await op.read(LAYOUT.identity[1], sector);
    const identity = decodeIdentity(b4, b5, keys);
    if (!identity.ok) throw new DeviceError('card.mac_invalid', { cardSerial: serial, record: 'identity' });
    const b8 = await op.read(LAYOUT.purchase[0], sector);
    const b9 = await op.read(LAYOUT.purchase[1], sector);
    const b10 = await op.read(LAYOUT.mark, sector);
    const b16 = await op.read(LAYOUT.writeBack[0], sector);
    const b17 = await op.read(LAYOUT.writeBack[1], sector);
    const mark = decodeMark(b10, keys);
    if (!mark.ok) throw new DeviceError('card.mac_invalid', { cardSerial: serial, record: 'mark' });
    const purchase = decodePurchase(b8, b9, keys);
    // A torn record is expected while grey-locked; otherwise it is tampering.
    if (!purchase.ok && !mark.value.writeInProgress) {
      throw new DeviceError('card.mac_invalid', { cardSerial: serial, record: 'purchase' });
    }
    const writeBack = decodeWriteBack(b16, b17, keys);
    if (!writeBack.ok) throw new DeviceError('card.mac_invalid', { cardSerial: serial, record: 'write_back' });
    return {
      keys,
      sector,
      identity: identity.value,
      purchase: purchase.ok ? purchase.value : null,
      purchaseBlocks: [b8, b9],
      mark: mark.value,
      writeBack: writeBack.value,
    };
  }

  private snapshot(card: CardSession, raw: RawCard): PrepaidCardSnapshot {
    const p = raw.purchase;
    return {
      format: this.name,
      cardSerial: bytesToHex(card.uid),
      identity: raw.identity,
      purchase:
        p === null
          ? null
          : { counter: p.counter, amountFen: p.amountFen, energyCentiKwh: p.energyCentiKwh, purchaseTag: bytesToHex(p.tag) },
      meter: raw.writeBack,
      greyLocked: raw.mark.writeInProgress,
      pendingCounter: raw.mark.writeInProgress ? raw.mark.counterAfter : null,
      previousLoaded: p !== null && raw.writeBack.lastLoadedCounter === p.counter,
    };
  }
}


function validateAmounts(req: WritePurchaseRequest): void {
  for (const [name, v] of [
    ['amountFen', req.amountFen],
    ['energyCentiKwh', req.energyCentiKwh],
    ['counterBefore', req.counterBefore],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xfffffffe) throw new RangeError(`${name} out of range: ${v}`);
  }
  if (req.amountFen === 0 && req.energyCentiKwh === 0) throw new RangeError('empty purchase');
}
