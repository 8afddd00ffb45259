/**
 * When a complaint escalates. Each deadline (first reply, resolution) escalates twice: once when it
 * is near (`escalateBeforeHours` before, to the supervisor) and once when it has passed (to the
 * branch manager). A stage is recorded once; the list of stages due now minus those recorded is
 * what the sweep records.
 */
export const ESCALATION_STAGES = ['reply_near', 'reply_overdue', 'resolve_near', 'resolve_overdue'] as const;
export type EscalationStage = (typeof ESCALATION_STAGES)[number];

export interface ComplaintClock {
  readonly replyDueAt: string;
  readonly resolveDueAt: string;
  /** null while the customer has had no reply. */
  readonly repliedAt: string | null;
  /** null while not resolved (resolved or closed both stop the clock). */
  readonly resolvedAt: string | null;
}

/** Stages whose moment has come, in order; the caller drops those already recorded. */
export function escalationsDue(c: ComplaintClock, now: Date, escalateBeforeHours: number): EscalationStage[] {
  const t = now.getTime();
  const before = escalateBeforeHours * 3_600_000;
  const out: EscalationStage[] = [];
  if (c.repliedAt === null && c.resolvedAt === null) {
    const due = Date.parse(c.replyDueAt);
    if (t >= due - before) out.push('reply_near');
    if (t >= due) out.push('reply_overdue');
  }
  if (c.resolvedAt === null) {
    const due = Date.parse(c.resolveDueAt);
    if (t >= due - before) out.push('resolve_near');
    if (t >= due) out.push('resolve_overdue');
  }
  return out;
}

/** Who an escalation goes to: near → the supervisor, overdue → the branch manager. */
export function escalationLevel(stage: EscalationStage): 1 | 2 {
  return stage.endsWith('_overdue') ? 2 : 1;
}

/** Overdue: a deadline passed with its step not done. */
export function isOverdue(c: ComplaintClock, now: Date): boolean {
  const t = now.getTime();
  return (c.repliedAt === null && c.resolvedAt === null && t >= Date.parse(c.replyDueAt)) || (c.resolvedAt === null && t >= Date.parse(c.resolveDueAt));
}
