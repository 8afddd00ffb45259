/**
 * A key change issued here (token.manage) takes effect on this terminal at once: the cached
 * meter's STS parameters are rewritten in the same commit as the tokens. An account snapshot from
 * the backend can still carry the OLD parameters until the `token.management_issued` event has
 * reached the backend and been applied there, and a refresh must not put the old key back. So
 * every read of a meter's STS parameters for vending goes through `withKeyChanges`, which lays this
 * terminal's latest key change over the snapshot while the backend may not have it yet (the event
 * is still in the outbox, or the snapshot is not newer than the account version seen at issue).
 */
import type { StsParams } from '../../wire/backend-wire.js';
import type { CachedAccount } from '../../store/accounts.js';
import type { Db } from '../../store/db.js';
import { stepEventId } from './vend-store.js';

/** What a key change row records in `params_json` (besides the view's fields). */
export interface KeyChangeParams {
  readonly next: StsParams;
  /** The meter's parameters the key change tokens were encrypted under. */
  readonly prev?: StsParams;
  /** The cached account version when the key change was issued; the backend bumps it on apply. */
  readonly accountVersion?: number;
}

export interface PendingKeyChange extends KeyChangeParams {
  readonly tokenId: string;
}

/** The management event's outbox id (the backend deduplicates on it). */
export function keyChangeEventId(tokenId: string): string {
  return stepEventId(tokenId, 'management_issued');
}

/**
 * This terminal's latest key change of the meter when the snapshot may not carry it yet, else null
 * (the snapshot is authoritative: the backend applied it, or moved on since).
 */
export function pendingKeyChange(db: Db, meterNo: string, cachedAccountVersion: number): PendingKeyChange | null {
  const row = db
    .prepare("SELECT token_id, params_json FROM sts_management_tokens WHERE meter_no = ? AND kind = 'key_change' ORDER BY created_at DESC, token_id DESC LIMIT 1")
    .get(meterNo) as { token_id: string; params_json: string } | undefined;
  if (!row) return null;
  const params = JSON.parse(row.params_json) as Partial<KeyChangeParams>;
  if (!params.next) return null;
  const unsent = db.prepare('SELECT 1 FROM outbox WHERE event_id = ?').get(keyChangeEventId(row.token_id)) !== undefined;
  const snapshotNotNewer = params.accountVersion !== undefined && cachedAccountVersion <= params.accountVersion;
  if (!unsent && !snapshotNotNewer) return null;
  return { tokenId: row.token_id, ...params, next: params.next };
}

/** The account with this terminal's not-yet-applied key changes laid over its STS meters. */
export function withKeyChanges(db: Db, account: CachedAccount): CachedAccount {
  let changed = false;
  const meters = account.meters.map((m) => {
    if (m.kind !== 'sts' || !m.sts) return m;
    const pending = pendingKeyChange(db, m.meterNo, account.version);
    if (!pending || sameParams(pending.next, m.sts)) return m;
    changed = true;
    return { ...m, sts: pending.next };
  });
  return changed ? { ...account, meters } : account;
}

/** Rewrites the cached meter's STS parameters. Runs inside the caller's transaction. */
export function cacheMeterSts(db: Db, meterNo: string, sts: StsParams): void {
  db.prepare('UPDATE meters SET sts_json = ? WHERE meter_no = ?').run(JSON.stringify(sts), meterNo);
}

export function sameParams(a: StsParams, b: StsParams): boolean {
  return (
    a.iin === b.iin &&
    a.drn === b.drn &&
    a.keyType === b.keyType &&
    a.sgc === b.sgc &&
    a.ti === b.ti &&
    a.krn === b.krn &&
    a.baseDate === b.baseDate &&
    a.algorithm === b.algorithm
  );
}
