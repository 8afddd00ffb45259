import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ExceptionResolutionCode, SyncExceptionView, WireError } from '../../../main/contract/index.js';
import { bridge } from '../bridge';
import { formatDateTime } from '../format-time';
import { formatFen } from '../format';
import { call, useErrorText } from '../rpc';
import { useTerminalTimeZone } from '../use-terminal-time-zone';
import { reasonText } from './exception-text';
import { ReceiptCheck } from './receipt-check';
import './exceptions.css';

/**
 * The exceptions queue for supervisors: every event the billing backend rejected or accepted with
 * an exception, the reason in plain words, and a resolution with a note (journaled, sent to the
 * backend). Auditors read it. Kept current by `exceptions.changed`. Below, staff check a provisional
 * receipt's verify code.
 */
export function ExceptionsScreen() {
  const { t, i18n } = useTranslation();
  const zone = useTerminalTimeZone();
  const [status, setStatus] = useState<'open' | 'resolved'>('open');
  const [items, setItems] = useState<readonly SyncExceptionView[]>([]);
  const [openCount, setOpenCount] = useState(0);
  const [error, setError] = useState<WireError | null>(null);
  const errorText = useErrorText();

  const load = useCallback(async () => {
    const r = await call('exceptions.list', { status });
    if (!r.ok) return setError(r.error);
    setError(null);
    setItems(r.result.items);
    setOpenCount(r.result.openCount);
  }, [status]);
  useEffect(() => {
    void load();
    return bridge.subscribe('exceptions.changed', () => void load());
  }, [load]);

  const when = (iso: string) => (zone ? formatDateTime(iso, zone, i18n.language) : iso);
  return (
    <div className="exceptions" data-testid="exceptions-screen">
      <section className="card">
        <h2>{t('exceptions.title')}</h2>
        <p className="hint">{t('exceptions.hint')}</p>
        <div className="row" role="tablist">
          <button type="button" role="tab" aria-selected={status === 'open'} className={status === 'open' ? '' : 'secondary'} onClick={() => setStatus('open')} data-testid="exceptions-open">
            {t('exceptions.open', { count: openCount })}
          </button>
          <button type="button" role="tab" aria-selected={status === 'resolved'} className={status === 'resolved' ? '' : 'secondary'} onClick={() => setStatus('resolved')} data-testid="exceptions-resolved">
            {t('exceptions.resolvedTab')}
          </button>
        </div>
        {error && <p className="error" role="alert" data-testid="exceptions-error">{errorText(error)}</p>}
        {items.length === 0 && <p className="ok" data-testid="exceptions-empty">{t(status === 'open' ? 'exceptions.noneOpen' : 'exceptions.noneResolved')}</p>}
      </section>
      {items.map((x) => (
        <ExceptionItem key={x.id} item={x} when={when} onResolved={() => void load()} />
      ))}
      <ReceiptCheck />
    </div>
  );
}

function ExceptionItem({ item: x, when, onResolved }: { item: SyncExceptionView; when: (iso: string) => string; onResolved: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [resolution, setResolution] = useState<ExceptionResolutionCode | ''>('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);

  const resolve = async () => {
    if (resolution === '') return;
    setBusy(true);
    const r = await call('exceptions.resolve', { id: x.id, resolution, note });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    onResolved();
  };

  return (
    <article className={`card exception ${x.source}`} data-testid="exception-item" data-kind={x.kind}>
      <header className="row">
        <strong data-testid="exception-reason">{reasonText(t, x)}</strong>
      </header>
      <dl className="facts">
        <dt>{t('exceptions.account')}</dt>
        <dd data-testid="exception-account">{x.accountNo ?? '—'}</dd>
        <dt>{t('exceptions.amount')}</dt>
        <dd data-testid="exception-amount">{formatFen(x.fen)}</dd>
        <dt>{t('exceptions.recordedAt')}</dt>
        <dd>{when(x.recordedAt)}</dd>
        <dt>{t('exceptions.eventId')}</dt>
        <dd className="ref">{x.eventId}</dd>
      </dl>
      {x.resolved ? (
        <p className="ok" data-testid="exception-resolution">
          {t('exceptions.resolvedBy', { by: x.resolved.by, at: when(x.resolved.at), resolution: t(`exceptions.resolutions.${x.resolved.resolution}`) })}
          {x.resolved.note && ` — ${x.resolved.note}`}
        </p>
      ) : (
        x.resolutions.length > 0 && (
          <form className="row resolve" onSubmit={(e) => { e.preventDefault(); void resolve(); }}>
            <label>
              {t('exceptions.resolution')}
              <select value={resolution} onChange={(e) => setResolution(e.target.value as ExceptionResolutionCode | '')} data-testid="exception-resolution-select">
                <option value="">{t('exceptions.choose')}</option>
                {x.resolutions.map((c) => (
                  <option key={c} value={c}>{t(`exceptions.resolutions.${c}`)}</option>
                ))}
              </select>
            </label>
            <label className="grow">
              {t('exceptions.note')}
              <input value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} data-testid="exception-note" />
            </label>
            <button type="submit" disabled={busy || resolution === '' || note.trim() === ''} data-testid="exception-resolve">{t('exceptions.resolve')}</button>
          </form>
        )
      )}
      {error && <p className="error" role="alert" data-testid="exception-error">{errorText(error)}</p>}
    </article>
  );
}
