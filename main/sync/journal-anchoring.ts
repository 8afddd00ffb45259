/**
 * The terminal's side of anchoring its journal at the backend (docs/audit.md). Before a push it
 * builds the proof — its head now and its own hash at the seq the backend last acknowledged (its local
 * copy is a guess the backend checks; a wrong guess is answered 'stale' and the backend is asked) — and checks the part of the chain the new
 * head commits to. After the backend took a push the head is its new anchor; a refusal other than
 * 'stale' is reported and stays until a later push is taken (the backend's operator cleared it).
 */
import type { Db } from '../store/db.js';
import { journalHead } from '../store/journal.js';
import { hashAt, readAnchor, verifySegment, writeAnchor, type ChainBreak } from '../store/journal-audit.js';
import type { JournalProof, JournalRefusal } from '../wire/journal-anchor-wire.js';
import { journalRefusalOf } from '../wire/journal-anchor-wire.js';
import { BackendRejected, type BackendClient } from './backend-client.js';

export interface JournalAnchoringOptions {
  readonly db: Db;
  readonly client: BackendClient;
  readonly timeoutMs: number;
  /** The backend refused the chain (shorter, rewritten), with its explanation. */
  readonly onRefused: (reason: Exclude<JournalRefusal, 'stale'>, detail: string) => void;
  /** The backend took a head: any earlier refusal is over. */
  readonly onAccepted: (head: { seq: number; hash: string }) => void;
  /** The part of the chain since the anchor does not verify here. */
  readonly onLocalBreak: (b: ChainBreak) => void;
}

export class JournalAnchoring {
  /** The backend's acknowledged seq as this terminal believes it: null = not known yet this run; -1 = none. */
  private anchorSeq: number | null = null;
  /** The backend said 'stale': ask it before the next proof. */
  private ask = false;

  constructor(private readonly opts: JournalAnchoringOptions) {}

  async proof(): Promise<JournalProof> {
    const { db, client, timeoutMs } = this.opts;
    // The local copy is only a guess that saves a round trip (the push goes first, as before): the
    // backend compares against its own anchor and answers 'stale' to a wrong guess.
    if (this.ask) {
      this.anchorSeq = (await client.journalAnchor(timeoutMs)).anchor?.seq ?? -1;
      this.ask = false;
    } else if (this.anchorSeq === null) this.anchorSeq = readAnchor(db)?.seq ?? -1;
    const from = this.anchorSeq;
    const broken = verifySegment(db, Math.max(1, from));
    if (broken) this.opts.onLocalBreak(broken);
    return { head: journalHead(db), at: from < 0 ? null : { seq: from, hash: hashAt(db, from) } };
  }

  accepted(proof: JournalProof): void {
    this.anchorSeq = proof.head.seq;
    writeAnchor(this.opts.db, proof.head);
    this.opts.onAccepted(proof.head);
  }

  /**
   * Whether `err` is the backend refusing the journal; handles it. 'stale' (the anchor moved on,
   * e.g. a push taken whose answer was lost) asks for the anchor again at the next proof.
   */
  refusal(err: unknown): JournalRefusal | null {
    if (!(err instanceof BackendRejected)) return null;
    const reason = journalRefusalOf(err.code);
    if (reason === null) return null;
    if (reason === 'stale') this.ask = true;
    else this.opts.onRefused(reason, err.message);
    return reason;
  }

  /** With nothing to push: anchor the head alone when it moved past the backend's anchor. */
  async anchorIdle(): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const proof = await this.proof();
      if (proof.head.seq === this.anchorSeq) return;
      try {
        await this.opts.client.anchorJournal(proof, this.opts.timeoutMs);
        this.accepted(proof);
        return;
      } catch (err) {
        if (this.refusal(err) !== 'stale') throw err;
      }
    }
  }
}
