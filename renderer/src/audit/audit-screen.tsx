import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ANOMALY_KIND_NAMES, type AnomalyReportView, type IntegrityView, type JournalEntryView, type WireError } from '../../../main/contract/index.js';
import { formatFen } from '../format';
import { formatDateTime } from '../format-time';
import type { Language } from '../i18n';
import { call, useErrorText } from '../rpc';
import { useTerminalTimeZone } from '../use-terminal-time-zone';
import { download } from './download';
import './audit.css';

/**
 * The inspection screen (稽查), read-only: the journal's integrity (verify on demand, acknowledge
 * breaks), the anomaly report of a period per clerk (CSV/XLSX), and the journal's entries
 * filtered by type, clerk, period and account.
 */
export function AuditScreen() {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const zone = useTerminalTimeZone() ?? 'Asia/Shanghai';
  const lang = i18n.language as Language;
  const when = (iso: string) => formatDateTime(iso, zone, lang);
  const [error, setError] = useState<WireError | null>(null);
  const [note, setNote] = useState<string | null>(null);

  const [integrity, setIntegrity] = useState<IntegrityView | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [ackReason, setAckReason] = useState('');

  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [report, setReport] = useState<AnomalyReportView | null>(null);

  const [filter, setFilter] = useState({ type: '', actor: '', accountNo: '' });
  const [entries, setEntries] = useState<readonly JournalEntryView[]>([]);
  const [more, setMore] = useState(false);

  useEffect(() => {
    void call('audit.status', {}).then((r) => r.ok && setIntegrity(r.result));
    // The terminal's today (its clock and zone), not the browser's.
    void call('shift.current', {}).then((r) => {
      if (!r.ok) return;
      setTo((d) => d || r.result.today);
      setFrom((d) => d || `${r.result.today.slice(0, 8)}01`);
    });
  }, []);

  const answer = <T,>(r: { ok: true; result: T } | { ok: false; error: WireError }, then: (v: T) => void) => {
    if (r.ok) {
      setError(null);
      then(r.result);
    } else setError(r.error);
  };

  const verify = async () => {
    setVerifying(true);
    setNote(null);
    answer(await call('audit.verify', {}), setIntegrity);
    setVerifying(false);
  };
  const acknowledge = async () => {
    answer(await call('audit.acknowledge', { reason: ackReason }), (v) => {
      setIntegrity(v);
      setAckReason('');
      setNote(t('audit.integrity.acknowledgedDone'));
    });
  };
  const runReport = async () => answer(await call('audit.anomalies', { from, to }), setReport);
  const exportAs = async (format: 'csv' | 'xlsx') =>
    answer(await call('audit.export', { from, to, format, locale: lang }), (file) => {
      download(file);
      setNote(t('audit.anomalies.exported', { file: file.fileName }));
    });
  const search = async (afterSeq?: number) => {
    const params = {
      ...(filter.type.trim() ? { type: filter.type.trim() } : {}),
      ...(filter.actor.trim() ? { actor: filter.actor.trim() } : {}),
      ...(filter.accountNo.trim() ? { accountNo: filter.accountNo.trim() } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(afterSeq ? { afterSeq } : {}),
      limit: 100,
    };
    answer(await call('audit.entries', params), (r) => {
      setEntries((prev) => (afterSeq ? [...prev, ...r.items] : r.items));
      setMore(r.more);
    });
  };

  return (
    <div className="audit audit-grid" data-testid="audit-screen">
      <h1 className="visually-hidden">{t('audit.title')}</h1>
      {error && <p className="error" role="alert" data-testid="audit-error">{errorText(error)}</p>}
      {note && <p className="note" role="status" data-testid="audit-note">{note}</p>}

      <section className="card" aria-labelledby="integrity-title">
        <div className="row">
          <h2 id="integrity-title">{t('audit.integrity.title')}</h2>
          {integrity && (
            <span className={`state ${integrity.state}`} data-testid="integrity-state">
              {t(`audit.integrity.state.${integrity.state}`)}
            </span>
          )}
          <button type="button" onClick={() => void verify()} disabled={verifying} data-testid="audit-verify">
            {verifying ? t('audit.integrity.verifying') : t('audit.integrity.verify')}
          </button>
        </div>
        {integrity && (
          <>
            <p data-testid="integrity-entries">{t('audit.integrity.entries', { n: integrity.entries, at: when(integrity.checkedAt) })}</p>
            <p className="mono">{t('audit.integrity.head', { seq: integrity.head.seq, hash: integrity.head.hash.slice(0, 16) })}</p>
            <p>{integrity.anchor ? t('audit.integrity.anchor', { seq: integrity.anchor.seq }) : t('audit.integrity.noAnchor')}</p>
            {integrity.refusal && (
              <p className="error">{t('audit.integrity.refusal', { reason: t(`audit.integrity.reason.${integrity.refusal.reason}`, { defaultValue: integrity.refusal.reason }) })}</p>
            )}
            {integrity.breaks.length > 0 && (
              <ul className="breaks" data-testid="integrity-breaks">
                {integrity.breaks.map((b) => (
                  <li key={`${b.problem}-${b.seq}`} className={b.acknowledged ? '' : 'open'}>
                    {t('audit.integrity.break', { seq: b.seq, problem: t(`audit.integrity.problem.${b.problem}`) })} {b.acknowledged && t('audit.integrity.acknowledged')}
                  </li>
                ))}
              </ul>
            )}
            {integrity.breaks.some((b) => !b.acknowledged) && (
              <form className="row" onSubmit={(e) => { e.preventDefault(); void acknowledge(); }}>
                <label>
                  {t('audit.integrity.ackReason')}
                  <input type="text" value={ackReason} maxLength={200} onChange={(e) => setAckReason(e.target.value)} data-testid="audit-ack-reason" />
                </label>
                <button type="submit" disabled={ackReason.trim() === ''} data-testid="audit-acknowledge">{t('audit.integrity.acknowledge')}</button>
              </form>
            )}
          </>
        )}
      </section>

      <section className="card" aria-labelledby="anomalies-title">
        <form className="row" onSubmit={(e) => { e.preventDefault(); void runReport(); }}>
          <h2 id="anomalies-title">{t('audit.anomalies.title')}</h2>
          <label>
            {t('audit.entries.from')}
            <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="audit-from" />
          </label>
          <label>
            {t('audit.entries.to')}
            <input type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="audit-to" />
          </label>
          <button type="submit" disabled={!from || !to} data-testid="audit-run">{t('audit.anomalies.run')}</button>
          {report && (
            <>
              <button type="button" className="secondary" onClick={() => void exportAs('csv')} data-testid="audit-export-csv">{t('audit.anomalies.exportCsv')}</button>
              <button type="button" className="secondary" onClick={() => void exportAs('xlsx')} data-testid="audit-export-xlsx">{t('audit.anomalies.exportXlsx')}</button>
            </>
          )}
        </form>
        {report && (
          <>
            <p data-testid="audit-scanned">{t('audit.anomalies.scanned', { scanned: report.scanned, total: report.total })}</p>
            {report.total === 0 ? (
              <p>{t('audit.anomalies.none')}</p>
            ) : (
              <>
                <h3>{t('audit.anomalies.byClerk')}</h3>
                <div className="table-wrap">
                  <table data-testid="audit-by-clerk">
                    <thead>
                      <tr>
                        <th scope="col">{t('audit.report.clerk')}</th>
                        {ANOMALY_KIND_NAMES.map((k) => <th scope="col" key={k} className="num">{t(`audit.kind.${k}`)}</th>)}
                        <th scope="col" className="num">{t('audit.report.total')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {report.byClerk.map((c) => (
                        <tr key={c.actor}>
                          <th scope="row">{c.actor}</th>
                          {ANOMALY_KIND_NAMES.map((k) => <td key={k} className="num">{c.counts[k] ?? 0}</td>)}
                          <td className="num">{c.total}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <h3>{t('audit.anomalies.list')}</h3>
                <div className="table-wrap">
                  <table data-testid="audit-anomalies">
                    <thead>
                      <tr>
                        {(['at', 'kind', 'actor', 'approver', 'accountNo', 'amount', 'seq'] as const).map((c) => <th scope="col" key={c}>{t(`audit.column.${c}`)}</th>)}
                      </tr>
                    </thead>
                    <tbody>
                      {report.items.map((a) => (
                        <tr key={`${a.kind}-${a.seq}`} data-kind={a.kind}>
                          <td>{when(a.at)}</td>
                          <td>{t(`audit.kind.${a.kind}`)}</td>
                          <td>{a.actor}</td>
                          <td>{a.approver ?? ''}</td>
                          <td>{a.accountNo ?? ''}</td>
                          <td className="num">{a.fen !== null ? formatFen(a.fen) : (a.count ?? '')}</td>
                          <td className="num">{a.seq}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            )}
          </>
        )}
      </section>

      <section className="card" aria-labelledby="entries-title">
        <form className="row" onSubmit={(e) => { e.preventDefault(); void search(); }}>
          <h2 id="entries-title">{t('audit.entries.title')}</h2>
          <label>
            {t('audit.entries.type')}
            <input type="text" value={filter.type} onChange={(e) => setFilter({ ...filter, type: e.target.value })} data-testid="audit-filter-type" />
          </label>
          <label>
            {t('audit.entries.actor')}
            <input type="text" value={filter.actor} onChange={(e) => setFilter({ ...filter, actor: e.target.value })} data-testid="audit-filter-actor" />
          </label>
          <label>
            {t('audit.entries.account')}
            <input type="text" inputMode="numeric" value={filter.accountNo} onChange={(e) => setFilter({ ...filter, accountNo: e.target.value })} data-testid="audit-filter-account" />
          </label>
          <button type="submit" data-testid="audit-search">{t('audit.entries.search')}</button>
        </form>
        {entries.length === 0 ? null : (
          <div className="table-wrap">
            <table data-testid="audit-entries">
              <thead>
                <tr>
                  {(['seq', 'at', 'type', 'actor', 'accountNo', 'ref'] as const).map((c) => <th scope="col" key={c}>{t(`audit.column.${c}`)}</th>)}
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <tr key={e.seq}>
                    <td className="num">{e.seq}</td>
                    <td>{when(e.at)}</td>
                    <td>{e.type}</td>
                    <td>{e.actor}</td>
                    <td>{e.accountNo ?? ''}</td>
                    <td className="mono">{e.ref}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {more && <button type="button" className="secondary" onClick={() => void search(entries.at(-1)?.seq)} data-testid="audit-more">{t('audit.entries.more')}</button>}
      </section>
    </div>
  );
}
