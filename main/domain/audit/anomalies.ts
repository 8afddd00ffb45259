/**
 * Anomaly detection over journal entries (pure): what an inspector (稽查) reviews — reversals,
 * reprints, approvals and who gave them, refused approvals, late-fee waivers, cash differences,
 * transactions outside opening hours, repeated lookups of one account, token re-issues and card
 * recoveries done by staff. The rules are data (./rules.ts, resources/rules/audit.json).
 */
import type { AnomalyKind, AuditRules, EntryMatcher } from './rules.js';

/** A journal entry as the detector reads it: the payload still as stored (JSON text). */
export interface AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly type: string;
  readonly ref: string;
  readonly actor: string;
  readonly payload: string;
}

export interface Anomaly {
  readonly kind: AnomalyKind;
  readonly seq: number;
  readonly at: string;
  /** Whoever did it (the clerk). */
  readonly actor: string;
  readonly type: string;
  readonly ref: string;
  readonly accountNo: string | null;
  /** The money involved, when the entry states it (amount, waived fee, cash difference). */
  readonly fen: number | null;
  /** Who approved it (approvals), or whose approval was refused (refused approvals). */
  readonly approver: string | null;
  /** Repeated lookups: how many within the window. */
  readonly count: number | null;
}

/** Per clerk: anomalies of each kind. */
export interface ClerkSummary {
  readonly actor: string;
  readonly counts: Readonly<Partial<Record<AnomalyKind, number>>>;
  readonly total: number;
}

type Payload = Readonly<Record<string, unknown>>;

const MONEY_FIELDS = ['amountFen', 'fen', 'differenceFen'] as const;

function numberField(p: Payload, field: string): number | null {
  const v = p[field];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function stringField(p: Payload, field: string): string | null {
  const v = p[field];
  return typeof v === 'string' && v.length > 0 ? v : null;
}

function moneyOf(p: Payload): number | null {
  for (const f of MONEY_FIELDS) {
    const v = numberField(p, f);
    if (v !== null) return v;
  }
  return null;
}

/**
 * Minutes after local midnight and ISO weekday of an instant in `timeZone`. The UTC offset is
 * cached per UTC hour: a month of a busy hall is hundreds of thousands of entries, and Intl
 * formatting each would dominate the report.
 */
export function localClock(timeZone: string): (iso: string) => { minutes: number; weekday: number } {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
  const offsets = new Map<string, number>();
  const offsetMinutes = (ms: number, hourKey: string): number => {
    let off = offsets.get(hourKey);
    if (off === undefined) {
      const parts = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
      const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute));
      off = Math.round((asUtc - Math.floor(ms / 60_000) * 60_000) / 60_000);
      offsets.set(hourKey, off);
    }
    return off;
  };
  return (iso) => {
    const ms = Date.parse(iso);
    const local = new Date(ms + offsetMinutes(ms, iso.slice(0, 13)) * 60_000);
    const weekday = local.getUTCDay() === 0 ? 7 : local.getUTCDay();
    return { minutes: local.getUTCHours() * 60 + local.getUTCMinutes(), weekday };
  };
}

const toMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** A detector fed entries oldest first; `finish()` returns every anomaly in journal order. */
export function anomalyDetector(rules: AuditRules, timeZone: string) {
  const machines = new Set(rules.machineActors);
  const byType = new Map<string, { kind: AnomalyKind; matcher: EntryMatcher }[]>();
  for (const [kind, matchers] of Object.entries(rules.entries) as [AnomalyKind, EntryMatcher[]][]) {
    for (const matcher of matchers) {
      const list = byType.get(matcher.type) ?? [];
      list.push({ kind, matcher });
      byType.set(matcher.type, list);
    }
  }
  const offHourTypes = new Set(rules.offHours.types);
  const openDays = new Set(rules.offHours.days);
  const open = toMinutes(rules.offHours.open);
  const close = toMinutes(rules.offHours.close);
  const clock = localClock(timeZone);
  const windowMs = rules.repeatedLookups.windowMinutes * 60_000;
  /** Lookup times per clerk and account, and the last lookup that was already reported. */
  const lookups = new Map<string, { times: number[]; reportedUntil: number }>();
  const found: Anomaly[] = [];
  const approvals = new Set<string>();

  const add = (kind: AnomalyKind, e: AuditEntry, p: Payload, extra: Partial<Pick<Anomaly, 'fen' | 'approver' | 'count'>> = {}): void => {
    found.push({
      kind,
      seq: e.seq,
      at: e.at,
      actor: e.actor,
      type: e.type,
      ref: e.ref,
      accountNo: stringField(p, 'accountNo'),
      fen: extra.fen !== undefined ? extra.fen : moneyOf(p),
      approver: extra.approver ?? null,
      count: extra.count ?? null,
    });
  };

  const payloadOf = (e: AuditEntry): Payload => {
    try {
      const v = JSON.parse(e.payload) as unknown;
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Payload) : {};
    } catch {
      return {};
    }
  };

  return {
    push(e: AuditEntry): void {
      const staff = !machines.has(e.actor);
      const matchers = byType.get(e.type);
      const offType = staff && offHourTypes.has(e.type);
      const lookup = staff && e.type === rules.repeatedLookups.type;
      // Approvals can sit on any entry; a cheap text test spares parsing the rest.
      const mayApprove = rules.approvals.approverFields.some((f) => e.payload.includes(`"${f}"`));
      if (!matchers && !offType && !lookup && !mayApprove && e.type !== rules.approvals.refusedType && e.type !== rules.cashDifference.type) return;
      // Parsed only when a rule needs the payload: a month of a busy hall is mostly ordinary payments.
      let parsed: Payload | null = null;
      const p = (): Payload => (parsed ??= payloadOf(e));
      for (const { kind, matcher } of matchers ?? []) {
        if (matcher.staffOnly && !staff) continue;
        if (matcher.atLeast) {
          const v = numberField(p(), matcher.atLeast.field);
          if (v === null || v < matcher.atLeast.value) continue;
        }
        add(kind, e, p());
      }
      if (e.type === rules.approvals.refusedType) {
        add('approval_refused', e, p(), { approver: stringField(p(), 'approverId') });
      } else if (mayApprove) {
        for (const f of rules.approvals.approverFields) {
          const approver = stringField(p(), f);
          if (approver !== null) {
            // One approval is named by several entries of its business id (a void's request and
            // its completion): counted once.
            const key = `${e.ref}\u0000${approver}`;
            if (!approvals.has(key)) {
              approvals.add(key);
              add('approval', e, p(), { approver });
            }
            break;
          }
        }
      }
      if (e.type === rules.cashDifference.type) {
        const diff = numberField(p(), rules.cashDifference.field);
        if (diff !== null && Math.abs(diff) >= rules.cashDifference.minAbsFen) add('cash_difference', e, p(), { fen: diff });
      }
      if (offType) {
        const local = clock(e.at);
        if (!openDays.has(local.weekday) || local.minutes < open || local.minutes >= close) add('off_hours', e, p());
      }
      if (lookup) {
        const accountNo = stringField(p(), 'accountNo');
        if (accountNo !== null) {
          const key = `${e.actor}\u0000${accountNo}`;
          const ms = Date.parse(e.at);
          const state = lookups.get(key) ?? { times: [], reportedUntil: -Infinity };
          state.times = state.times.filter((t) => ms - t < windowMs);
          state.times.push(ms);
          lookups.set(key, state);
          // One finding per run of lookups: reported when it reaches the threshold, again only
          // once the window has moved past the run already reported.
          if (state.times.length >= rules.repeatedLookups.minLookups && (state.times[0] ?? ms) > state.reportedUntil) {
            add('repeated_lookup', e, p(), { count: state.times.length, fen: null });
            state.reportedUntil = ms;
          }
        }
      }
    },
    finish(): Anomaly[] {
      return found;
    },
  };
}

export function detectAnomalies(entries: Iterable<AuditEntry>, rules: AuditRules, timeZone: string): Anomaly[] {
  const d = anomalyDetector(rules, timeZone);
  for (const e of entries) d.push(e);
  return d.finish();
}

/** Anomalies per clerk, most first. */
export function summariseByClerk(anomalies: readonly Anomaly[]): ClerkSummary[] {
  const byActor = new Map<string, Partial<Record<AnomalyKind, number>>>();
  for (const a of anomalies) {
    const counts = byActor.get(a.actor) ?? {};
    counts[a.kind] = (counts[a.kind] ?? 0) + 1;
    byActor.set(a.actor, counts);
  }
  return [...byActor.entries()]
    .map(([actor, counts]) => ({ actor, counts, total: Object.values(counts).reduce((s, n) => s + (n ?? 0), 0) }))
    .sort((a, b) => b.total - a.total || a.actor.localeCompare(b.actor));
}
