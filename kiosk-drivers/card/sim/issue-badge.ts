/**
 * Issues a GridDesk staff badge onto a simulated card, as the utility's badge station would: the
 * operator's record in sector 1 under the badge key, access bits under which key A only reads.
 */
import { deriveBadgeKeys, encodeBadge, BADGE_LAYOUT, type StaffBadgeRecord } from '../staff-badge.js';
import { ISSUED_ACCESS_BITS, SimulatedCard } from './simulated-card.js';

export interface IssueBadgeOptions extends Partial<Omit<StaffBadgeRecord, 'operatorId'>> {
  readonly masterKey: Uint8Array;
  readonly uid: Uint8Array;
  readonly operatorId: string;
}

export function issueStaffBadge(opts: IssueBadgeOptions): SimulatedCard {
  const card = new SimulatedCard({ uid: opts.uid });
  const keys = deriveBadgeKeys(opts.masterKey, opts.uid);
  const [b4, b5] = encodeBadge(
    { operatorId: opts.operatorId, issue: opts.issue ?? 1, issuedAt: opts.issuedAt ?? 1_767_225_600, validUntil: opts.validUntil ?? 0 },
    keys,
  );
  card.poke(BADGE_LAYOUT.header, b4);
  card.poke(BADGE_LAYOUT.validity, b5);
  card.setSectorKeyA(BADGE_LAYOUT.sector, keys.sectorKey);
  card.setAccessBits(BADGE_LAYOUT.sector, ISSUED_ACCESS_BITS);
  return card;
}
