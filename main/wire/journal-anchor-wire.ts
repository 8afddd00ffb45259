/**
 * The journal's head on the wire (docs/audit.md). Every push of events carries the terminal's
 * journal head and the hash its journal has now at the seq the backend last acknowledged; the
 * backend keeps each terminal's acknowledged head and accepts a new one only if it extends it.
 * A terminal guesses that seq from its last acknowledged push and asks (GET JOURNAL_ANCHOR_PATH)
 * only when the backend answers 'stale'; when the outbox is empty
 * it anchors its head alone (POST JOURNAL_ANCHOR_PATH), so journal-only entries are covered too.
 */
import { z } from 'zod';

export const JOURNAL_ANCHOR_PATH = '/api/journal/anchor';

const Hash = z.string().regex(/^[0-9a-f]{64}$/);
export const JournalHeadWireSchema = z.object({ seq: z.int().min(0), hash: Hash });
export type JournalHeadWire = z.infer<typeof JournalHeadWireSchema>;

/**
 * What a push commits the terminal to: its head now, and its own hash at the backend's anchor
 * (`at.hash` null when its journal no longer has that entry — it was cut off).
 */
export const JournalProofSchema = z.object({
  head: JournalHeadWireSchema,
  at: z.object({ seq: z.int().min(0), hash: Hash.nullable() }).nullable(),
});
export type JournalProof = z.infer<typeof JournalProofSchema>;

/** The backend's acknowledged head for the asking terminal (null before its first). */
export const JournalAnchorSchema = z.object({ anchor: JournalHeadWireSchema.nullable() });
export type JournalAnchor = z.infer<typeof JournalAnchorSchema>;

/**
 * Why the backend refuses a head (HTTP 409, `error: journal_<reason>`):
 * - stale: `at` is not at the backend's anchor (ask again; not an alarm);
 * - shorter: the head is behind the anchor, or the anchored entry is gone (entries cut off);
 * - rewritten: the entry at the anchor has another hash (entries edited, deleted, re-ordered or replaced).
 */
export const JOURNAL_REFUSALS = ['stale', 'shorter', 'rewritten'] as const;
export type JournalRefusal = (typeof JOURNAL_REFUSALS)[number];

export const journalRefusalCode = (r: JournalRefusal): string => `journal_${r}`;

export function journalRefusalOf(code: string): JournalRefusal | null {
  const r = code.startsWith('journal_') ? code.slice('journal_'.length) : '';
  return (JOURNAL_REFUSALS as readonly string[]).includes(r) ? (r as JournalRefusal) : null;
}
