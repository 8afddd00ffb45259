/**
 * A simulated prepaid meter with a card slot: it loads the next purchase count only, refuses
 * grey-locked, foreign, wrong-meter and wrong-generation cards, and writes its state back.
 */
import { deriveCardKeys } from '../card-crypto.js';
import {
  decodeIdentity,
  decodeMark,
  decodePurchase,
  encodeWriteBack,
  LAYOUT,
  METER_STATUS,
} from '../card-layout.js';
import type { SimulatedCard } from './simulated-card.js';

export type MeterLoadResult =
  | { readonly outcome: 'loaded'; readonly counter: number; readonly amountFen: number }
  | { readonly outcome: 'nothing_new'; readonly counter: number }
  | {
      readonly outcome: 'rejected';
      readonly reason: 'foreign' | 'wrong_meter' | 'generation' | 'grey_locked' | 'mac' | 'counter';
    };

export interface SimulatedMeterOptions {
  readonly masterKey: Uint8Array;
  readonly meterNo: string;
  readonly generation: number;
  /** Unix seconds. */
  readonly clock: () => number;
  readonly lowCreditFen?: number;
}

export class SimulatedMeter {
  lastLoadedCounter = 0;
  creditFen = 0;
  totalLoadedFen = 0;
  totalEnergyCentiKwh = 0;
  /** Every credit the meter ever accepted, for double-credit checks. */
  readonly loads: { counter: number; amountFen: number }[] = [];

  constructor(private readonly opts: SimulatedMeterOptions) {}

  consume(fen: number, energyCentiKwh: number): void {
    this.creditFen -= fen;
    this.totalEnergyCentiKwh += energyCentiKwh;
  }

  insert(card: SimulatedCard): MeterLoadResult {
    if (card.type !== 'contactless') return { outcome: 'rejected', reason: 'foreign' };
    const keys = deriveCardKeys(this.opts.masterKey, card.uid);
    const id = decodeIdentity(card.peek(LAYOUT.identity[0]), card.peek(LAYOUT.identity[1]), keys);
    if (!id.ok) return { outcome: 'rejected', reason: 'foreign' };
    if (id.value.meterNo !== this.opts.meterNo) return { outcome: 'rejected', reason: 'wrong_meter' };
    if (id.value.generation !== this.opts.generation) return { outcome: 'rejected', reason: 'generation' };
    const mark = decodeMark(card.peek(LAYOUT.mark), keys);
    if (!mark.ok) return { outcome: 'rejected', reason: 'mac' };
    if (mark.value.writeInProgress) return { outcome: 'rejected', reason: 'grey_locked' };
    const p = decodePurchase(card.peek(LAYOUT.purchase[0]), card.peek(LAYOUT.purchase[1]), keys);
    if (!p.ok) return { outcome: 'rejected', reason: 'mac' };
    let result: MeterLoadResult;
    if (p.value.counter === this.lastLoadedCounter + 1) {
      this.lastLoadedCounter = p.value.counter;
      this.creditFen += p.value.amountFen;
      this.totalLoadedFen += p.value.amountFen;
      this.loads.push({ counter: p.value.counter, amountFen: p.value.amountFen });
      result = { outcome: 'loaded', counter: p.value.counter, amountFen: p.value.amountFen };
    } else if (p.value.counter === this.lastLoadedCounter) {
      result = { outcome: 'nothing_new', counter: p.value.counter };
    } else {
      return { outcome: 'rejected', reason: 'counter' };
    }
    const status = this.creditFen < (this.opts.lowCreditFen ?? 5000) ? METER_STATUS.lowCredit : 0;
    const [b16, b17] = encodeWriteBack(
      {
        lastLoadedCounter: this.lastLoadedCounter,
        remainingCreditFen: this.creditFen,
        totalLoadedFen: this.totalLoadedFen,
        totalEnergyCentiKwh: this.totalEnergyCentiKwh,
        status,
        loadedAt: this.opts.clock(),
      },
      keys,
    );
    card.poke(LAYOUT.writeBack[0], b16);
    card.poke(LAYOUT.writeBack[1], b17);
    return result;
  }
}
