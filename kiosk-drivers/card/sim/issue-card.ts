/**
 * Issues a GridDesk reference card onto a simulated card, as a utility's card issuing station
 * would: identity, empty purchase record, idle mark, zero write-back, diversified sector keys, and
 * access bits under which key A can read and write data blocks but never rewrite a trailer.
 */
import { deriveCardKeys } from '../card-crypto.js';
import {
  encodeIdentity,
  encodeMark,
  encodePurchase,
  encodeWriteBack,
  FORMAT_VERSION,
  LAYOUT,
  ZERO_TAG,
} from '../card-layout.js';
import { ISSUED_ACCESS_BITS, SimulatedCard } from './simulated-card.js';

export interface IssueCardOptions {
  readonly masterKey: Uint8Array;
  readonly uid: Uint8Array;
  readonly accountNo: string;
  readonly meterNo: string;
  readonly generation: number;
}

export function issueGridDeskCard(opts: IssueCardOptions): SimulatedCard {
  const card = new SimulatedCard({ uid: opts.uid });
  const keys = deriveCardKeys(opts.masterKey, opts.uid);
  const [b4, b5] = encodeIdentity(
    { formatVersion: FORMAT_VERSION, generation: opts.generation, accountNo: opts.accountNo, meterNo: opts.meterNo },
    keys,
  );
  const [b8, b9] = encodePurchase({ counter: 0, amountFen: 0, energyCentiKwh: 0, tag: ZERO_TAG }, keys);
  const [b16, b17] = encodeWriteBack(
    { lastLoadedCounter: 0, remainingCreditFen: 0, totalLoadedFen: 0, totalEnergyCentiKwh: 0, status: 0, loadedAt: 0 },
    keys,
  );
  card.poke(LAYOUT.identity[0], b4);
  card.poke(LAYOUT.identity[1], b5);
  card.poke(LAYOUT.purchase[0], b8);
  card.poke(LAYOUT.purchase[1], b9);
  card.poke(LAYOUT.mark, encodeMark({ writeInProgress: false, counterBefore: 0, counterAfter: 0 }, keys));
  card.poke(LAYOUT.backup[0], b8);
  card.poke(LAYOUT.backup[1], b9);
  card.poke(LAYOUT.writeBack[0], b16);
  card.poke(LAYOUT.writeBack[1], b17);
  for (const s of LAYOUT.sectors) {
    card.setSectorKeyA(s, keys.sectorKey);
    card.setAccessBits(s, ISSUED_ACCESS_BITS);
  }
  return card;
}
