import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ExportedFile, PrintOutcome, ReconciliationView, WireError } from '../../../main/contract/index.js';
import { formatFen } from '../format';
import type { Language } from '../i18n';
import { call, useErrorText } from '../rpc';
import './shift.css';

/** Saves an exported file through the browser's download (Electron asks where to save it). */
function download(file: ExportedFile): void {
  const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mimeType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * End-of-day reconciliation for supervisors, managers and auditors: the four ways side by side
 * (drawer counted, terminal journal, backend ledger, tokens and card credits), every difference
 * with its cause and what to do; print, CSV and XLSX.
 */
export function ReconciliationScreen() {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const language = i18n.language as Language;
  const [date, setDate] = useState('');
  const [view, setView] = useState<ReconciliationView | null>(null);
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  // The terminal's today (its clock and zone), not the browser's.
  useEffect(() => {
    void call('shift.current', {}).then((r) => r.ok && setDate((d) => d || r.result.today));
  }, []);

  const runIt = async () => {
    setBusy(true);
    setError(null);
    setNote(null);
    const r = await call('reconciliation.run', { date });
    setBusy(false);
    if (r.ok) setView(r.result);
    else setError(r.error);
  };
  const exportAs = async (format: 'csv' | 'xlsx') => {
    const r = await call('reconciliation.export', { date, format, locale: language });
    if (!r.ok) return setError(r.error);
    download(r.result);
    setNote(t('shift.reconUi.exported', { file: r.result.fileName }));
  };
  const print = async () => {
    const r = await call('reconciliation.print', { date, receiptLocale: language });
    const out: PrintOutcome = r.ok ? r.result : { printed: false, error: r.error };
    setNote(out.printed ? t('shift.ui.printed') : t('shift.ui.printFailed', { reason: out.error ? errorText(out.error) : '' }));
  };

  const s = view?.summary;
  return (
    <div className="recon" data-testid="recon-screen">
      <form className="card row" onSubmit={(e) => { e.preventDefault(); void runIt(); }}>
        <h2>{t('shift.reconUi.title')}</h2>
        <label>
          {t('shift.reconUi.date')}
          <input type="date" data-testid="recon-date" value={date} onChange={(e) => setDate(e.target.value)} />
        </label>
        <button type="submit" disabled={busy || date === ''} data-testid="recon-run">{t('shift.reconUi.run')}</button>
        {view && (
          <>
            <button type="button" className="secondary" onClick={() => void print()} data-testid="recon-print">{t('shift.reconUi.print')}</button>
            <button type="button" className="secondary" onClick={() => void exportAs('csv')} data-testid="recon-export-csv">{t('shift.reconUi.exportCsv')}</button>
            <button type="button" className="secondary" onClick={() => void exportAs('xlsx')} data-testid="recon-export-xlsx">{t('shift.reconUi.exportXlsx')}</button>
          </>
        )}
      </form>
      {error && <p className="error" role="alert" data-testid="recon-error">{errorText(error)}</p>}
      {note && <p className="ok" data-testid="recon-note">{note}</p>}
      {view && s && (
        <>
          <section className="four-ways" data-testid="recon-summary" aria-label={t('shift.reconUi.summary')}>
            <div className="card way">
              <h3>{t('shift.reconUi.drawer')}</h3>
              <p className="big" data-testid="way-drawer">{formatFen(s.cashCountedFen)}</p>
              <p>{t('shift.recon.row.cashExpected')}: {formatFen(s.cashExpectedFen)}</p>
              <p>{t('shift.recon.row.shiftsCounted')}: {s.shiftsCounted} · {t('shift.recon.row.shiftsOpen')}: {s.shiftsOpen}</p>
            </div>
            <div className="card way">
              <h3>{t('shift.reconUi.journal')}</h3>
              <p className="big" data-testid="way-journal">{formatFen(s.journal.fen)}</p>
              <p>{t('shift.recon.row.journalEvents')}: {s.journal.count}</p>
            </div>
            <div className="card way">
              <h3>{t('shift.reconUi.backend')}</h3>
              {s.backend ? (
                <>
                  <p className="big" data-testid="way-backend">{formatFen(s.backend.fen)}</p>
                  <p>{t('shift.recon.row.backendEvents')}: {s.backend.count}</p>
                </>
              ) : (
                <p className="warning" data-testid="way-backend">{t('shift.reconUi.offline')}</p>
              )}
              <p>{t('shift.recon.row.pending')}: {s.pending} · {t('shift.recon.row.rejected')}: {s.rejected}</p>
            </div>
            <div className="card way">
              <h3>{t('shift.reconUi.credits')}</h3>
              <p className="big" data-testid="way-credits">{formatFen(s.creditsIssued.fen)}</p>
              <p>{t('shift.recon.row.vendsPaid', { count: s.vendsPaid.count })}: {formatFen(s.vendsPaid.fen)}</p>
              <p>{t('shift.recon.row.creditsMatched')}: {s.creditsMatched}</p>
            </div>
          </section>
          <section className="card">
            <h3>{t('shift.reconUi.differences')}</h3>
            {view.differences.length === 0 ? (
              <p className="ok" data-testid="recon-none">{t('shift.reconUi.none')}</p>
            ) : (
              <table className="bills recon-diffs">
                <thead>
                  <tr>
                    <th>{t('shift.recon.column.severity')}</th>
                    <th>{t('shift.reconUi.cause')}</th>
                    <th>{t('shift.reconUi.ref')}</th>
                    <th className="num">{t('shift.reconUi.amount')}</th>
                    <th>{t('shift.reconUi.action')}</th>
                  </tr>
                </thead>
                <tbody>
                  {view.differences.map((d, i) => (
                    <tr key={`${d.cause}-${d.ref}-${i}`} className={`sev-${d.severity}`} data-testid="recon-diff-row">
                      <td>{t(`shift.recon.severity.${d.severity}`)}</td>
                      <td>
                        <strong>{t(`shift.recon.cause.${d.cause}`)}</strong>
                        <br />
                        <small>{t(`shift.recon.way.${d.way}`)}{d.eventType ? ` · ${d.eventType}` : ''}{d.detail ? ` · ${d.detail}` : ''}</small>
                      </td>
                      <td className="ref">{d.ref}</td>
                      <td className="num">{formatFen(d.amountFen)}</td>
                      <td>{t(`shift.recon.action.${d.cause}`)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </div>
  );
}
