/**
 * Consumption of the last 12 months as a bar chart: a small SVG, not a charting library — twelve
 * bars need no scales, axes or animation engine, and a hand-made SVG keeps the bundle small and
 * the markup accessible (one labelled image for the summary, a table for screen readers). Colours
 * come from CSS variables, so the high-contrast mode applies.
 */
import { useId } from 'react';
import { useTranslation } from 'react-i18next';

export interface MonthUsage {
  /** 'YYYY-MM' */
  readonly period: string;
  /** kWh for the month (whole or decimal). */
  readonly kwh: number;
}

const W = 960;
const H = 300;
const TOP = 34;
const BOTTOM = 40;

function monthLabel(period: string, lang: string): string {
  const [y, m] = period.split('-').map(Number);
  if (!y || !m) return period;
  return new Intl.DateTimeFormat(lang, { month: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1)));
}

function kwhText(kwh: number, lang: string): string {
  return new Intl.NumberFormat(lang, { maximumFractionDigits: 0 }).format(kwh);
}

export function ConsumptionChart({ months }: { readonly months: readonly MonthUsage[] }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const captionId = useId();
  const last12 = months.slice(-12);
  if (last12.length === 0) return <p className="k-muted">{t('kiosk.account.chartEmpty')}</p>;
  const max = Math.max(1, ...last12.map((m) => m.kwh));
  const total = last12.reduce((s, m) => s + m.kwh, 0);
  const slot = W / last12.length;
  const barW = Math.min(56, slot * 0.62);
  const plotH = H - TOP - BOTTOM;
  const latest = last12[last12.length - 1]!;
  const summary = t('kiosk.account.chartSummary', {
    months: last12.length,
    total: kwhText(total, lang),
    average: kwhText(total / last12.length, lang),
    latest: kwhText(latest.kwh, lang),
  });
  return (
    <figure className="k-chart" data-testid="consumption-chart">
      <figcaption id={captionId} className="k-chart-caption">
        {t('kiosk.account.chartTitle')}
        <span className="k-chart-summary">{summary}</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={captionId} preserveAspectRatio="xMidYMid meet">
        <line x1={0} x2={W} y1={H - BOTTOM} y2={H - BOTTOM} className="k-chart-axis" />
        {last12.map((m, i) => {
          const h = Math.round((m.kwh / max) * plotH);
          const x = i * slot + (slot - barW) / 2;
          const y = H - BOTTOM - h;
          const isLatest = i === last12.length - 1;
          return (
            <g key={m.period} data-testid="chart-bar" data-period={m.period} data-kwh={m.kwh}>
              <rect x={x} y={y} width={barW} height={Math.max(h, 1)} rx={4} className={isLatest ? 'k-chart-bar latest' : 'k-chart-bar'} />
              <text x={x + barW / 2} y={y - 8} textAnchor="middle" className="k-chart-value">
                {kwhText(m.kwh, lang)}
              </text>
              <text x={x + barW / 2} y={H - BOTTOM + 28} textAnchor="middle" className="k-chart-month">
                {monthLabel(m.period, lang)}
              </text>
            </g>
          );
        })}
      </svg>
      <table className="k-sr-only">
        <caption>{t('kiosk.account.chartTitle')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('kiosk.account.month')}</th>
            <th scope="col">{t('kiosk.account.kwh')}</th>
          </tr>
        </thead>
        <tbody>
          {last12.map((m) => (
            <tr key={m.period}>
              <td>{m.period}</td>
              <td>{kwhText(m.kwh, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
