/** Rate the service 1–5 with optional reasons, bound to the transaction just delivered; skippable. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { KIOSK_RATING_REASONS, type KioskRatingReason, type WireError } from '../../../main/contract/index.js';
import { useErrorText } from '../rpc';
import { StarIcon } from './icons';
import { kcall } from './kiosk-calls';

export function RateScreen({ visitId, transactionId, onDone }: { readonly visitId: string; readonly transactionId: string; readonly onDone: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [score, setScore] = useState(0);
  const [reasons, setReasons] = useState<readonly KioskRatingReason[]>([]);
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    const r = await kcall('kiosk.rate', { visitId, transactionId, score, reasons: [...reasons] });
    setBusy(false);
    if (r.ok || r.error.code === 'kiosk.already_rated') onDone();
    else setError(r.error);
  };
  return (
    <div className="k-rate" data-testid="rate">
      <div className="k-stars" role="radiogroup" aria-label={t('kiosk.rate.title')}>
        {[1, 2, 3, 4, 5].map((n) => (
          <button type="button" key={n} role="radio" aria-checked={score === n} aria-label={t('kiosk.rate.star', { count: n })} className={n <= score ? 'k-star on' : 'k-star'} onClick={() => setScore(n)} data-testid={`star-${n}`}>
            <StarIcon filled={n <= score} />
            <span className="k-star-n" aria-hidden="true">
              {n}
            </span>
          </button>
        ))}
      </div>
      {score > 0 && (
        <div className="k-reasons" role="group" aria-label={t('kiosk.rate.reasons')}>
          <p className="k-muted">{t('kiosk.rate.reasons')}</p>
          <div className="k-chips">
            {KIOSK_RATING_REASONS.map((r) => {
              const on = reasons.includes(r);
              return (
                <button type="button" key={r} className={on ? 'k-chip on' : 'k-chip'} aria-pressed={on} onClick={() => setReasons(on ? reasons.filter((x) => x !== r) : [...reasons, r])} data-testid={`reason-${r}`}>
                  {t(`kiosk.rate.reason.${r}`)}
                </button>
              );
            })}
          </div>
        </div>
      )}
      {error && (
        <p className="k-error" role="alert">
          {errorText(error)}
        </p>
      )}
      <div className="k-actions">
        <button type="button" className="k-secondary" onClick={onDone} data-testid="rate-skip">
          {t('kiosk.rate.skip')}
        </button>
        <button type="button" className="k-primary" disabled={score === 0 || busy} onClick={() => void submit()} data-testid="rate-submit">
          {t('kiosk.rate.submit')}
        </button>
      </div>
    </div>
  );
}
