/**
 * Deliver what was paid: write the card (asking for it when it is not in the reader), or show
 * the token large (and print it when there is paper), or show the bills settled. `kiosk.deliver`
 * is repeatable and never delivers twice, so re-asking after a card comes back is safe.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { KioskDeliveryView, KioskOrderView, WireError } from '../../../main/contract/index.js';
import { bridge } from '../bridge';
import { formatFen } from '../format';
import { useErrorText } from '../rpc';
import { formatCkwh } from '../vending/format-energy';
import { CardIcon } from './icons';
import { kcall } from './kiosk-calls';

export type DeliverPhase = 'working' | 'writing' | 'insertCard' | 'token' | 'card' | 'billsPaid' | 'error';

export function deliveryPhase(order: KioskOrderView, d: KioskDeliveryView | null): DeliverPhase {
  if (!d) return 'working';
  if (d.needsCard) return 'insertCard';
  if (!d.done) return 'error';
  if (order.what === 'bills') return 'billsPaid';
  return d.token ? 'token' : 'card';
}

export function DeliverScreen({ visitId, order: first, toCard, onPhase, onNext }: {
  readonly visitId: string;
  readonly order: KioskOrderView;
  /** The purchase goes to a card (known from the quote, or the pending transaction's needs). */
  readonly toCard: boolean;
  readonly onPhase: (p: DeliverPhase) => void;
  readonly onNext: (order: KioskOrderView) => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [order, setOrder] = useState(first);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<WireError | null>(null);
  const running = useRef(false);
  const phaseCb = useRef(onPhase);
  phaseCb.current = onPhase;

  const deliver = useCallback(async () => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    setError(null);
    phaseCb.current(toCard ? 'writing' : 'working');
    const r = await kcall('kiosk.deliver', { visitId });
    running.current = false;
    setBusy(false);
    if (r.ok) {
      setOrder(r.result);
      phaseCb.current(deliveryPhase(r.result, r.result.delivery));
    } else {
      setError(r.error);
      phaseCb.current('error');
    }
  }, [visitId, toCard]);

  useEffect(() => {
    void deliver();
  }, [deliver]);

  const d = order.delivery;
  const phase = busy ? (toCard ? 'writing' : 'working') : error ? 'error' : deliveryPhase(order, d);

  // The token is on screen while its slip prints: ask again (delivers nothing twice) when the
  // order changes, and now and then in case that event was missed, without leaving the token.
  const printing = !busy && d?.printing === true;
  useEffect(() => {
    if (!printing) return undefined;
    const refresh = () =>
      void kcall('kiosk.deliver', { visitId }).then((r) => {
        if (r.ok) setOrder(r.result);
      });
    const off = bridge.subscribe('kiosk.orderChanged', (o) => {
      if (o.orderId === order.orderId) refresh();
    });
    const timer = window.setInterval(refresh, 1500);
    return () => {
      off();
      window.clearInterval(timer);
    };
  }, [printing, visitId, order.orderId]);

  // Waiting for the card: deliver as soon as it is back in the reader.
  useEffect(() => {
    if (phase !== 'insertCard') return undefined;
    return bridge.subscribe('card.inserted', () => void deliver());
  }, [phase, deliver]);

  return (
    <div className="k-deliver" data-testid="deliver" data-phase={phase}>
      {order.honoured && (
        <p className="k-note" role="status" data-testid="deliver-honoured">
          {t('kiosk.qr.honoured')}
        </p>
      )}
      {(phase === 'working' || phase === 'writing') && (
        <p className={phase === 'writing' ? 'k-note k-big' : 'k-lead'} role="status" data-testid="deliver-busy">
          {phase === 'writing' ? t('kiosk.deliver.writing') : t('kiosk.common.busy')}
        </p>
      )}
      {phase === 'insertCard' && (
        <div className="k-insert-card" data-testid="deliver-insert-card">
          <CardIcon />
          <p className="k-lead k-strong">{t('kiosk.deliver.insertCard')}</p>
          {d?.cardError && <p className="k-error">{t('kiosk.deliver.cardError', { reason: errorText(d.cardError) })}</p>}
          <button type="button" className="k-secondary" onClick={() => void deliver()} data-testid="deliver-retry">
            {t('kiosk.identify.cardRead')}
          </button>
        </div>
      )}
      {phase === 'error' && (
        <div className="k-deliver-error">
          <p className="k-error" role="alert" data-testid="deliver-error">
            {error ? errorText(error) : d?.cardError ? t('kiosk.deliver.cardError', { reason: errorText(d.cardError) }) : t('kiosk.common.busy')}
          </p>
          <button type="button" className="k-primary" onClick={() => void deliver()} data-testid="deliver-retry">
            {t('kiosk.common.retry')}
          </button>
        </div>
      )}
      {phase === 'token' && d?.tokenGroups && (
        <div className="k-token" data-testid="deliver-token">
          <h2>{t('kiosk.deliver.tokenTitle')}</h2>
          <p className="k-muted">{t('kiosk.deliver.tokenHint')}</p>
          <p className="k-token-digits" data-testid="token-digits" aria-label={d.token?.split('').join(' ')}>
            {d.tokenGroups}
          </p>
          {d.energyCkwh !== null && <p className="k-lead">{t('kiosk.deliver.energy', { kwh: formatCkwh(d.energyCkwh) })}</p>}
        </div>
      )}
      {phase === 'card' && d && (
        <p className="k-done-line" data-testid="deliver-card-done">
          {t('kiosk.deliver.cardDone', { kwh: d.energyCkwh === null ? '—' : formatCkwh(d.energyCkwh) })}
        </p>
      )}
      {phase === 'billsPaid' && d && (
        <div className="k-bills-paid" data-testid="deliver-bills">
          <p className="k-done-line">{t('kiosk.deliver.billsDone')}</p>
          <ul className="k-allocations">
            {(d.allocations ?? []).map((a) => (
              <li key={a.billId}>{t('kiosk.deliver.allocation', { period: a.period, principal: formatFen(a.principalFen).slice(1), fee: formatFen(a.lateFeeFen).slice(1) })}</li>
            ))}
          </ul>
          {d.toBalanceFen !== null && d.toBalanceFen > 0 && <p>{t('kiosk.deliver.toBalance', { amount: formatFen(d.toBalanceFen).slice(1) })}</p>}
        </div>
      )}
      {d?.done && (
        <>
          {d.printing ? (
            <p className="k-lead" role="status" data-testid="deliver-printing">
              {t('kiosk.deliver.printing')}
            </p>
          ) : (
            <p className={d.printed ? 'k-lead' : 'k-note'} data-testid={d.printed ? 'deliver-printed' : 'deliver-not-printed'}>
              {d.printed ? t('kiosk.deliver.printed') : t('kiosk.deliver.notPrinted')}
            </p>
          )}
          {!d.printed && d.receiptLines && d.receiptLines.length > 0 && (
            <details className="k-receipt" open={order.what === 'bills'}>
              <summary>{t('kiosk.deliver.receipt')}</summary>
              <pre data-testid="receipt-lines">{d.receiptLines.join('\n')}</pre>
            </details>
          )}
          <div className="k-actions">
            <button type="button" className="k-primary" onClick={() => onNext(order)} data-testid="deliver-next">
              {t('kiosk.deliver.next')}
            </button>
          </div>
        </>
      )}
    </div>
  );
}
