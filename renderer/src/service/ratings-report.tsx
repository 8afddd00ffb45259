import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RatingReportView, WireError } from '../../../main/contract/index.js';
import { call, useErrorText } from '../rpc';

type GroupBy = RatingReportView['groupBy'];

/** Ratings of a period by clerk, hall, type or day, with the outcomes beside the scores. */
export function RatingsReport() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const today = new Date().toISOString().slice(0, 10);
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(today);
  const [groupBy, setGroupBy] = useState<GroupBy>('clerk');
  const [report, setReport] = useState<RatingReportView | null>(null);
  const [error, setError] = useState<WireError | null>(null);

  const show = async () => {
    setError(null);
    const r = await call('rating.report', { from, to, groupBy });
    if (r.ok) setReport(r.result);
    else setError(r.error);
  };

  return (
    <div className="service-panel">
      <form
        className="card row"
        onSubmit={(e) => {
          e.preventDefault();
          void show();
        }}
      >
        <label>
          {t('service.ratings.from')}
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="ratings-from" />
        </label>
        <label>
          {t('service.ratings.to')}
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="ratings-to" />
        </label>
        <label>
          {t('service.ratings.groupBy')}
          <select value={groupBy} onChange={(e) => setGroupBy(e.target.value as GroupBy)} data-testid="ratings-group">
            {(['clerk', 'hall', 'type', 'day'] as const).map((g) => (
              <option key={g} value={g}>
                {t(`service.ratings.groups.${g}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" data-testid="ratings-show">
          {t('service.ratings.show')}
        </button>
      </form>
      {error && <p className="error" role="alert">{errorText(error)}</p>}
      {report && report.groups.length === 0 && <p>{t('service.ratings.none')}</p>}
      {report && report.groups.length > 0 && (
        <section className="card">
          <table className="service-table" data-testid="ratings-table">
            <thead>
              <tr>
                <th>{t(`service.ratings.groups.${report.groupBy}`)}</th>
                <th className="num">{t('service.ratings.count')}</th>
                <th className="num">{t('service.ratings.average')}</th>
                <th>1–5</th>
                <th className="num">{t('service.ratings.printFailed')}</th>
                <th className="num">{t('service.ratings.longService')}</th>
              </tr>
            </thead>
            <tbody>
              {report.groups.map((g) => (
                <tr key={g.key}>
                  <td>{g.label}</td>
                  <td className="num">{g.count}</td>
                  <td className="num">{(g.averageX100 / 100).toFixed(2)}</td>
                  <td>{g.distribution.join(' / ')}</td>
                  <td className="num">{g.printFailed}</td>
                  <td className="num">{g.longService}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t('service.ratings.low')}</h3>
          <ul data-testid="ratings-low">
            {report.low.map((l) => (
              <li key={l.ratingId}>
                {'★'.repeat(l.score)} · {l.operatorId} · {l.reasons.map((r) => t(`service.display.reasons.${r}`)).join(', ')}
                {l.outcome.printFailed ? ` · ${t('service.ratings.printFailed')}` : ''}
                {l.outcome.longService ? ` · ${t('service.ratings.longService')}` : ''}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
