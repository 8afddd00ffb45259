import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VendView, WireError } from '../../../main/contract/index.js';
import { bridge } from '../bridge';
import { call, useErrorText } from '../rpc';
import { formatFen } from '../format';
import type { Language } from '../i18n';
import { SplitTable } from './split-table';
import { formatCkwh } from './format-energy';

/** The issued token, big and grouped, its delivery, and what may still be done with it. */
export function VendResult({ vend, onChange, onNext }: { readonly vend: VendView; readonly onChange: (v: VendView) => void; readonly onNext: () => void }) {
  const { t, i18n } = useTranslation();
  const receiptLocale = i18n.language as Language;
  const errorText = useErrorText();
  const [error, setError] = useState<WireError | null>(vend.deliveryError);
  const [reprints, setReprints] = useState(vend.reprints);
  const [reversing, setReversing] = useState(false);
  const [sup, setSup] = useState({ id: '', pin: '', reason: '' });

  const isCard = vend.meterKind === 'card';
  const cardPending = isCard && (vend.state === 'token_issued' || vend.state === 'paid');

  // A card vend waiting for its card: re-inserting the card finishes it in the core; follow it here.
  useEffect(() => {
    if (!cardPending) return undefined;
    return bridge.subscribe('card.inserted', () => {
      setTimeout(() => {
        void call('vend.get', { vendId: vend.vendId }).then((r) => {
          if (r.ok && r.result.state !== vend.state) {
            setError(null);
            onChange(r.result);
          }
        });
      }, 600);
    });
  }, [cardPending, vend.vendId, vend.state, onChange]);

  const deliver = async (via: 'print' | 'screen' | 'card') => {
    const r = await call('vend.deliver', { vendId: vend.vendId, via, receiptLocale });
    if (!r.ok) return setError(r.error);
    setError(r.result.deliveryError);
    onChange(r.result);
  };
  const reprint = async () => {
    const r = await call('vend.reprint', { vendId: vend.vendId, receiptLocale });
    if (!r.ok) return setError(r.error);
    setError(r.result.error);
    setReprints(r.result.reprints);
  };
  const reverse = async () => {
    const r = await call('vend.reverse', { vendId: vend.vendId, supervisorId: sup.id, supervisorPin: sup.pin, reason: sup.reason });
    if (!r.ok) return setError(r.error);
    setError(null);
    setReversing(false);
    onChange(r.result);
  };

  return (
    <div className="card" data-testid="vend-result" data-state={vend.state}>
      <h2>
        {vend.state === 'reversed'
          ? t('vending.topup.reversed')
          : isCard
            ? vend.state === 'delivered'
              ? t('vending.card.delivered')
              : t('vending.card.notWritten')
            : t('vending.topup.done')}
        {vend.offline && <span className="badge">{t('vending.topup.offlineBadge')}</span>}
      </h2>
      {/* The core sends the digits only once the vend is delivered (printed, or explicitly shown). */}
      {vend.tokenGroups && vend.state === 'delivered' && (
        <div className="token-box">
          <div>{t('vending.topup.token')}</div>
          <div className="token-digits" data-testid="vend-token">
            {vend.tokenGroups}
          </div>
          <div>
            {t('vending.topup.tokenHint', { meter: vend.meterNo })} · {formatCkwh((vend.deliveredTenths ?? 0) * 10)} kWh · TID {vend.tid}
          </div>
        </div>
      )}
      {!isCard && vend.state === 'token_issued' && (
        <p className="warning" data-testid="vend-token-hidden">
          {t('vending.topup.tokenHidden')}
        </p>
      )}
      {isCard && vend.card && vend.state === 'delivered' && (
        <div className="token-box card-done" data-testid="vend-card-done">
          <div className="card-counter">{t('vending.card.done', { counter: vend.card.counterAfter })}</div>
          <div>
            {t('vending.card.credit')} {formatFen(vend.card.amountFen ?? 0)} · {formatCkwh(vend.card.energyCkwh ?? 0)} kWh
          </div>
          <div>{t('vending.card.doneHint', { meter: vend.meterNo, kwh: formatCkwh(vend.card.energyCkwh ?? 0) })}</div>
        </div>
      )}
      {cardPending && error && (error.code === 'card.removed' || error.code === 'card.absent') && (
        <p className="card-reinsert" data-testid="vend-card-reinsert" role="alert">
          {t('vending.card.removed')}
        </p>
      )}
      <p data-testid="vend-delivery" className={vend.state === 'delivered' ? 'ok' : 'warning'}>
        {isCard ? null : vend.state === 'delivered'
          ? t('vending.topup.delivered', { how: vend.delivery === 'printed' ? t('vending.topup.printed') : t('vending.topup.shown') })
          : vend.state === 'token_issued'
            ? t('vending.topup.notDelivered')
            : null}
        {vend.method === 'cash' && vend.changeFen > 0 && ` · ${t('vending.topup.change')} ${formatFen(vend.changeFen)}`}
        {reprints > 0 && ` · ${t('vending.topup.reprinted', { n: reprints })}`}
      </p>
      {error && !(cardPending && (error.code === 'card.removed' || error.code === 'card.absent')) && (
        <p className="error" data-testid="vend-error">
          {vend.state === 'token_issued'
            ? t(isCard ? 'vending.card.failed' : 'vending.topup.printFailed', { error: errorText(error) })
            : errorText(error)}
        </p>
      )}
      <SplitTable split={vend.split} />
      <div className="actions">
        {cardPending && (
          <button type="button" onClick={() => void deliver('card')} data-testid="vend-write-card">
            {t('vending.card.writeAgain')}
          </button>
        )}
        {!isCard && vend.state === 'token_issued' && (
          <>
            <button type="button" onClick={() => void deliver('print')} data-testid="vend-retry-print">
              {t('vending.topup.retryPrint')}
            </button>
            <button type="button" className="secondary" onClick={() => void deliver('screen')} data-testid="vend-show">
              {t('vending.topup.showOnScreen')}
            </button>
          </>
        )}
        {vend.state === 'delivered' && (
          <button type="button" className="secondary" onClick={() => void reprint()} data-testid="vend-reprint">
            {t('vending.topup.reprint')}
          </button>
        )}
        {/* An STS token that was printed or shown (or attempted) may be with the customer: no reversal. */}
        {(vend.state === 'paid' || (vend.state === 'token_issued' && (isCard || !vend.deliveryAttempted))) && !reversing && (
          <button type="button" className="secondary" onClick={() => setReversing(true)} data-testid="vend-reverse">
            {t('vending.topup.reverse')}
          </button>
        )}
        <button type="button" onClick={onNext} data-testid="vend-next">
          {t('vending.topup.next')}
        </button>
      </div>
      {reversing && (
        <div className="row" data-testid="reverse-form">
          <label>
            {t('vending.topup.supervisorId')}
            <input value={sup.id} onChange={(e) => setSup({ ...sup, id: e.target.value })} data-testid="sup-id" />
          </label>
          <label>
            {t('vending.topup.supervisorPin')}
            <input type="password" value={sup.pin} onChange={(e) => setSup({ ...sup, pin: e.target.value })} data-testid="sup-pin" />
          </label>
          <label>
            {t('vending.topup.reason')}
            <input value={sup.reason} onChange={(e) => setSup({ ...sup, reason: e.target.value })} data-testid="sup-reason" />
          </label>
          <button type="button" onClick={() => void reverse()} data-testid="sup-confirm">
            {t('vending.topup.reverseConfirm')}
          </button>
        </div>
      )}
    </div>
  );
}
