/**
 * Ratings reports (docs/service.md): a period of local days, grouped by clerk, hall, transaction
 * type or day, each group with its average, distribution and the outcomes beside it — a low score
 * after a failed print is a different story from one after a long service — and the low ratings
 * themselves, newest first, each with its outcome.
 */
import type { RatingOutcomeView, RatingReportGroup, RatingReportItem, RatingReportView } from '../../contract/index.js';
import { localDateIn, startOfLocalDay } from '../../domain/service/working-days.js';
import { operatorName, ratingsBetween, type CounterRatingRow } from '../../store/service.js';
import type { ServiceContext } from './service-context.js';

const NO_OUTCOME: RatingOutcomeView = { printFailed: false, longService: false, serviceSeconds: null };

export function ratingReport(ctx: ServiceContext, from: string, to: string, groupBy: RatingReportView['groupBy']): RatingReportView {
  const tz = ctx.deps.config.timeZone;
  const next = new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const rows = ratingsBetween(ctx.db, startOfLocalDay(from, tz).toISOString(), startOfLocalDay(next, tz).toISOString());
  const keyOf = (r: CounterRatingRow): string => {
    switch (groupBy) {
      case 'clerk':
        return r.operator_id;
      case 'hall':
        return r.hall_id ?? r.terminal_id ?? '';
      case 'type':
        return `${r.channel}:${r.transaction_kind}`;
      case 'day':
        return localDateIn(new Date(r.created_at), tz);
      default: {
        const never: never = groupBy;
        return never;
      }
    }
  };
  const groups = new Map<string, { rows: CounterRatingRow[] }>();
  for (const r of rows) {
    const k = keyOf(r);
    const g = groups.get(k) ?? { rows: [] };
    g.rows.push(r);
    groups.set(k, g);
  }
  const out: RatingReportGroup[] = [...groups.entries()]
    .map(([key, g]) => {
      const dist: [number, number, number, number, number] = [0, 0, 0, 0, 0];
      let sum = 0;
      let printFailed = 0;
      let longService = 0;
      for (const r of g.rows) {
        dist[r.score - 1] = (dist[r.score - 1] ?? 0) + 1;
        sum += r.score;
        const o = outcomeOf(r);
        if (o.printFailed) printFailed += 1;
        if (o.longService) longService += 1;
      }
      return {
        key,
        label: groupBy === 'clerk' ? operatorName(ctx.db, key) : key,
        count: g.rows.length,
        // Half up to the hundredth: the average × 100 as an integer.
        averageX100: Math.floor((sum * 100 * 2 + g.rows.length) / (2 * g.rows.length)),
        distribution: dist,
        printFailed,
        longService,
      };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
  const low: RatingReportItem[] = rows
    .filter((r) => r.score <= 2)
    .map((r) => ({
      ratingId: r.rating_id,
      transactionId: r.transaction_id,
      kind: r.transaction_kind,
      channel: r.channel,
      score: r.score,
      reasons: JSON.parse(r.reasons_json) as string[],
      operatorId: r.operator_id,
      hallId: r.hall_id ?? r.terminal_id ?? '',
      ratedAt: r.created_at,
      outcome: outcomeOf(r),
    }));
  return { from, to, groupBy, groups: out, low };
}

function outcomeOf(r: CounterRatingRow): RatingOutcomeView {
  // Kiosk ratings (and those from before v15) carry no outcome.
  return r.outcome_json ? (JSON.parse(r.outcome_json) as RatingOutcomeView) : NO_OUTCOME;
}
