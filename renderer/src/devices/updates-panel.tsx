import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { UpdateStatusView, WireError } from '../../../main/contract/index.js';
import { formatDateTime } from '../format-time';
import { call, useErrorText } from '../rpc';
import { useTerminalTimeZone } from '../use-terminal-time-zone';

const DEFER_HOURS = [4, 24, 72] as const;

/** Software updates on the diagnostics screen: what runs, what is on offer, and a supervisor's deferral (docs/deploy/updates.md). */
export function UpdatesPanel() {
  const { t, i18n } = useTranslation();
  const timeZone = useTerminalTimeZone();
  const errorText = useErrorText();
  const [status, setStatus] = useState<UpdateStatusView | null>(null);
  const [hours, setHours] = useState<number>(24);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<WireError | null>(null);

  useEffect(() => {
    void call('updates.status', {}).then((r) => (r.ok ? setStatus(r.result) : setError(r.error)));
  }, []);

  const defer = async (h: number) => {
    setBusy(true);
    setError(null);
    const r = await call('updates.defer', { requestId: crypto.randomUUID(), hours: h, reason: reason.trim() || t('updates.lifted') });
    setBusy(false);
    if (r.ok) {
      setStatus(r.result);
      setReason('');
    } else setError(r.error);
  };
  const at = (iso: string | null) => (iso ? formatDateTime(iso, timeZone ?? 'Asia/Shanghai', i18n.language) : t('updates.never'));

  return (
    <section className="card test-panel" data-testid="updates-panel">
      <h3>{t('updates.title')}</h3>
      {status && (
        <dl className="updates-facts">
          <dt>{t('updates.current')}</dt>
          <dd data-testid="updates-current">{status.currentVersion}</dd>
          <dt>{t('updates.state')}</dt>
          <dd data-testid="updates-phase">
            {t(`updates.phase.${status.phase}`, { version: status.availableVersion ?? '', percent: status.percent ?? 0 })}
          </dd>
          <dt>{t('updates.lastCheck')}</dt>
          <dd>{at(status.lastCheckAt)}</dd>
          {status.deferredUntil && (
            <>
              <dt>{t('updates.deferred')}</dt>
              <dd data-testid="updates-deferred">
                {t('updates.deferredText', { until: at(status.deferredUntil), by: status.deferredBy ?? '', reason: status.deferReason ?? '' })}
              </dd>
            </>
          )}
        </dl>
      )}
      <div className="row">
        <label>
          {t('updates.deferFor')}
          <select value={hours} onChange={(e) => setHours(Number(e.target.value))} data-testid="updates-hours">
            {DEFER_HOURS.map((h) => (
              <option key={h} value={h}>
                {t('updates.hours', { count: h })}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('updates.reason')}
          <input value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} data-testid="updates-reason" />
        </label>
        <button type="button" disabled={busy || reason.trim() === ''} onClick={() => void defer(hours)} data-testid="updates-defer">
          {t('updates.defer')}
        </button>
        {status?.deferredUntil && (
          <button type="button" className="secondary" disabled={busy} onClick={() => void defer(0)} data-testid="updates-lift">
            {t('updates.lift')}
          </button>
        )}
      </div>
      {error && (
        <p className="error" role="alert" data-testid="updates-error">
          {errorText(error)}
        </p>
      )}
    </section>
  );
}
