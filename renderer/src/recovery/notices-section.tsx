import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LawfulStepView, NoticeIssued, NoticePreviewView, NoticeView, WireError } from '../../../main/contract/index.js';
import { formatFen } from '../format';
import type { Language } from '../i18n';
import { call, useErrorText } from '../rpc';
import { AccountPicker } from './account-picker';
import { download } from './download';
import type { RecoverySectionProps } from './sections';

type Kind = 'reminder' | 'disconnection';
type Output = 'pdf' | 'receipt';

function stepText(s: LawfulStepView, t: (k: string, o?: Record<string, unknown>) => string): string {
  return t(`collection.step.${s.rule}`, s);
}

/** Reminder and disconnection notices: preview with the earliest lawful date and why, serve and print (A4 PDF or receipt), reprint. */
export function NoticesSection({ accountNo: initial }: RecoverySectionProps) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const [accountNo, setAccountNo] = useState(initial);
  const [kind, setKind] = useState<Kind>('disconnection');
  const [output, setOutput] = useState<Output>('pdf');
  const [preview, setPreview] = useState<NoticePreviewView | null>(null);
  const [served, setServed] = useState<readonly NoticeView[]>([]);
  const [error, setError] = useState<WireError | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [requestId, setRequestId] = useState(() => crypto.randomUUID());

  const load = useCallback(async () => {
    if (!accountNo) return;
    const [p, l] = await Promise.all([call('collection.noticePreview', { accountNo, kind }), call('collection.notices', { accountNo })]);
    if (p.ok) {
      setPreview(p.result);
      setError(null);
    } else {
      setPreview(null);
      setError(p.error);
    }
    if (l.ok) setServed(l.result.items);
  }, [accountNo, kind]);
  useEffect(() => {
    void load();
  }, [load]);

  const shown = (r: NoticeIssued) => {
    if (r.pdf) {
      download(r.pdf);
      setNote(`${t('collection.ui.issued', { no: r.notice.noticeNo })} ${t('collection.ui.pdfReady', { file: r.pdf.fileName })}`);
    } else if (r.printed) {
      setNote(`${t('collection.ui.issued', { no: r.notice.noticeNo })} ${r.printed.printed ? t('collection.ui.printed') : t('collection.ui.printFailed', { reason: r.printed.error ? errorText(r.printed.error) : '' })}`);
    }
  };

  const issue = async () => {
    if (!accountNo) return;
    setBusy(true);
    setNote(null);
    const r = await call('collection.issueNotice', { requestId, accountNo, kind, output, locale: i18n.language as Language });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    setRequestId(crypto.randomUUID());
    shown(r.result);
    await load();
  };

  const reprint = async (noticeId: string) => {
    const r = await call('collection.printNotice', { noticeId, output, locale: i18n.language as Language });
    if (!r.ok) return setError(r.error);
    shown(r.result);
    await load();
  };

  return (
    <div className="notices" data-testid="notices">
      <section className="card">
        <AccountPicker accountNo={accountNo} onOpen={setAccountNo} testId="notice-account" />
        <div className="row">
          <fieldset className="row">
            <legend>{t('collection.ui.notice')}</legend>
            {(['reminder', 'disconnection'] as const).map((k) => (
              <label key={k}>
                <input type="radio" name="notice-kind" value={k} checked={kind === k} onChange={() => setKind(k)} data-testid={`notice-kind-${k}`} /> {t(`collection.ui.kind.${k}`)}
              </label>
            ))}
          </fieldset>
          <fieldset className="row">
            <legend>{t('collection.ui.printOn')}</legend>
            {(['pdf', 'receipt'] as const).map((o) => (
              <label key={o}>
                <input type="radio" name="notice-output" value={o} checked={output === o} onChange={() => setOutput(o)} data-testid={`notice-output-${o}`} /> {t(`collection.ui.output.${o}`)}
              </label>
            ))}
          </fieldset>
        </div>
      </section>
      {error && <p className="error" role="alert" data-testid="notice-error">{errorText(error)}</p>}
      {note && <p className="ok" data-testid="notice-note">{note}</p>}
      {preview && (
        <section className="card notice-preview" data-testid="notice-preview">
          <h3>{t(`collection.notice.title.${preview.kind}`)} — {preview.name} ({preview.accountNo})</h3>
          <p className="muted">{preview.address} · {t(`collection.class.${preview.customerClass}`)}</p>
          <table className="bills">
            <thead>
              <tr>
                {(['period', 'dueDate', 'daysOverdue', 'outstanding', 'lateFee'] as const).map((c) => <th key={c} className={c === 'period' || c === 'dueDate' ? '' : 'num'}>{t(`collection.notice.column.${c}`)}</th>)}
              </tr>
            </thead>
            <tbody>
              {preview.bills.map((b) => (
                <tr key={b.billId}>
                  <td>{b.period}</td>
                  <td>{b.dueDate}</td>
                  <td className="num">{b.daysOverdue}</td>
                  <td className="num">{formatFen(b.outstandingFen)}</td>
                  <td className="num">{formatFen(b.lateFeeFen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            {t('collection.notice.totalOverdue')}: <strong>{formatFen(preview.overdueFen)}</strong> · {t('collection.notice.totalLateFee')}: {formatFen(preview.lateFeeFen)} ·{' '}
            {t('collection.notice.totalDue')}: <strong>{formatFen(preview.overdueFen + preview.lateFeeFen)}</strong>
          </p>
          {preview.earliestDisconnectOn && (
            <div className="lawful" data-testid="notice-lawful">
              <p className="big">{t('collection.ui.earliestIs', { date: preview.earliestDisconnectOn })}</p>
              <ul>{preview.steps.map((s, i) => <li key={i}>{stepText(s, t)}</li>)}</ul>
            </div>
          )}
          {!preview.eligible && preview.eligibleFrom && <p className="warning" data-testid="notice-not-yet">{t('collection.ui.eligibleFrom', { date: preview.eligibleFrom })}</p>}
          <button type="button" data-testid="notice-issue" disabled={busy || !preview.eligible} onClick={() => void issue()}>{t('collection.ui.issue')}</button>
        </section>
      )}
      {accountNo && (
        <section className="card">
          <h3>{t('collection.ui.noticesOf')}</h3>
          {served.length === 0 ? (
            <p className="muted">{t('collection.ui.noNotices')}</p>
          ) : (
            <ul className="served" data-testid="notice-served">
              {served.map((n) => (
                <li key={n.noticeId}>
                  <strong>{n.noticeNo}</strong> · {t(`collection.ui.kind.${n.kind}`)} · {n.servedOn}
                  {n.earliestDisconnectOn ? ` → ${n.earliestDisconnectOn}` : ''} · {formatFen(n.overdueFen)} · {t('collection.ui.printedTimes', { count: n.printedCount })}{' '}
                  <button type="button" className="secondary" onClick={() => void reprint(n.noticeId)}>{t('collection.ui.reprint')}</button>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}
