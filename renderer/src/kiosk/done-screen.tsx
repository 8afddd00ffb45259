/** The end of a visit: thanks, what to take, and a countdown back to the attract screen. */
import { useTranslation } from 'react-i18next';
import { useCountdown } from './countdown';
import { CheckIcon } from './icons';

export const DONE_SECONDS = 10;

export function DoneScreen({ onHome, takeCard, takeReceipt }: { readonly onHome: () => void; readonly takeCard: boolean; readonly takeReceipt: boolean }) {
  const { t } = useTranslation();
  const left = useCountdown(DONE_SECONDS, onHome);
  return (
    <div className="k-done" data-testid="done">
      <span className="k-done-icon">
        <CheckIcon />
      </span>
      <p className="k-lead k-done-thanks">{t('kiosk.done.thanks')}</p>
      {takeCard && (
        <p className="k-lead k-strong" data-testid="done-take-card">
          {t('kiosk.done.takeCard')}
        </p>
      )}
      {takeReceipt && (
        <p className="k-lead" data-testid="done-take-receipt">
          {t('kiosk.done.takeReceipt')}
        </p>
      )}
      <p className="k-muted" data-testid="done-countdown" aria-live="off">
        {t('kiosk.done.countdown', { seconds: left })}
      </p>
      <button type="button" className="k-primary k-wide" onClick={onHome} data-testid="done-home">
        {t('kiosk.done.home')}
      </button>
    </div>
  );
}
