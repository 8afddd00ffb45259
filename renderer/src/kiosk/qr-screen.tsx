/**
 * Pay by QR: the order's code drawn large, the amount, and how long the code is valid. The core
 * owns the order (poll + `kiosk.orderChanged`); this screen only shows it. Cancel asks the core,
 * which may answer that the payment had already arrived — then the purchase is honoured and
 * delivered, never dropped. When the code runs out, the order is cancelled the same way.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { KioskOrderView, ParamsOf, WireError } from '../../../main/contract/index.js';
import { bridge } from '../bridge';
import { formatFen } from '../format';
import { useErrorText } from '../rpc';
import { kcall } from './kiosk-calls';
import { QrCode } from './qr-code';

export type OrderRequest = ParamsOf<'kiosk.order.create'>;

const POLL_MS = 2000;
/**
 * The customer is paying on their phone, not touching the screen: while the code is valid the
 * screen keeps the visit alive (the core's idle limit counts touches, and may be shorter than the
 * code's lifetime); the code's expiry bounds it.
 */
const KEEPALIVE_MS = 15_000;
/** After the code's own expiry, how long to wait for the core to say so before cancelling it ourselves. */
const EXPIRY_GRACE_MS = 3000;

export type QrOutcome = { readonly kind: 'paid'; readonly order: KioskOrderView } | { readonly kind: 'back'; readonly error: WireError | null };

function isPaid(o: KioskOrderView): boolean {
  return o.state === 'paid' || o.state === 'delivered';
}

export function QrScreen({ request, onOutcome, onCancelled }: { readonly request: OrderRequest; readonly onOutcome: (o: QrOutcome) => void; readonly onCancelled: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [order, setOrder] = useState<KioskOrderView | null>(null);
  const [ended, setEnded] = useState<'expired' | 'cancelled' | 'refunded' | null>(null);
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  // The code's validity as the core states it, measured on this screen's clock (the core's may differ).
  const validity = useRef<{ localStart: number; ms: number } | null>(null);
  const created = useRef(false);
  const outcome = useRef(onOutcome);
  outcome.current = onOutcome;

  const take = useCallback((o: KioskOrderView) => {
    setOrder(o);
    if (isPaid(o)) outcome.current({ kind: 'paid', order: o });
    else if (o.state === 'expired') setEnded('expired');
    else if (o.state === 'cancelled') setEnded((e) => e ?? 'cancelled');
    else if (o.state === 'refunding' || o.state === 'refunded') setEnded('refunded');
  }, []);

  // Create the order once (StrictMode mounts twice in development; the ref keeps it one order).
  useEffect(() => {
    if (created.current) return;
    created.current = true;
    void kcall('kiosk.order.create', request).then((r) => {
      if (!r.ok) {
        outcome.current({ kind: 'back', error: r.error });
        return;
      }
      if (r.result.qr) validity.current = { localStart: Date.now(), ms: Date.parse(r.result.qr.expiresAt) - Date.parse(r.result.createdAt) };
      take(r.result);
    });
  }, [request, take]);

  const awaiting = order !== null && ended === null && !isPaid(order);
  const visitId = request.visitId;

  // Poll while awaiting payment; an orderChanged event asks at once.
  useEffect(() => {
    if (!awaiting) return undefined;
    const ask = () => void kcall('kiosk.order.status', { visitId }).then((r) => r.ok && take(r.result));
    const timer = window.setInterval(ask, POLL_MS);
    const clock = window.setInterval(() => setNow(Date.now()), 500);
    const keepalive = window.setInterval(() => void kcall('kiosk.extend', { visitId }), KEEPALIVE_MS);
    const off = bridge.subscribe('kiosk.orderChanged', (o) => {
      if (o.orderId !== order?.orderId) return;
      // Paid: the event is all the screen needs to go on to delivery (one round trip less between
      // the payment and the token); anything else is asked for.
      if (o.state === 'paid' || o.state === 'delivered') take({ ...o, delivery: null });
      else ask();
    });
    return () => {
      window.clearInterval(timer);
      window.clearInterval(clock);
      window.clearInterval(keepalive);
      off();
    };
  }, [awaiting, visitId, order?.orderId, take]);

  const cancel = useCallback(
    async (why: 'cancelled' | 'expired') => {
      setBusy(true);
      const r = await kcall('kiosk.order.cancel', { visitId });
      setBusy(false);
      if (!r.ok) {
        setError(r.error);
        return;
      }
      if (isPaid(r.result) || r.result.honoured) {
        take(r.result);
        return;
      }
      setEnded(r.result.state === 'refunding' || r.result.state === 'refunded' ? 'refunded' : why);
      setOrder(r.result);
    },
    [visitId, take],
  );

  const msLeft = validity.current ? validity.current.ms - (now - validity.current.localStart) : null;
  const secondsLeft = msLeft === null ? null : Math.max(0, Math.ceil(msLeft / 1000));

  // The code ran out and the core has not said so yet: cancel it (a late payment is still honoured).
  useEffect(() => {
    if (!awaiting || msLeft === null || msLeft > -EXPIRY_GRACE_MS || busy) return;
    void cancel('expired');
  }, [awaiting, msLeft, busy, cancel]);

  if (!order) {
    return (
      <p className="k-lead" role="status" data-testid="qr-creating">
        {t('kiosk.qr.creating')}
      </p>
    );
  }

  if (ended) {
    return (
      <div className="k-qr-ended" data-testid="qr-ended" data-reason={ended}>
        <p className="k-lead k-strong" role="status">
          {ended === 'expired' ? t('kiosk.qr.expired') : ended === 'refunded' ? t('kiosk.qr.refunded') : t('kiosk.qr.cancelled')}
        </p>
        <div className="k-actions">
          <button type="button" className="k-secondary" onClick={onCancelled} data-testid="qr-back">
            {t('kiosk.common.back')}
          </button>
        </div>
      </div>
    );
  }

  const amount = formatFen(order.amountFen);
  return (
    <div className="k-qr-pay" data-testid="qr-pay" data-state={order.state}>
      <div className="k-qr-box">{order.qr && <QrCode text={order.qr.codeUrl} label={t('kiosk.qr.label', { amount: amount.slice(1) })} />}</div>
      <div className="k-qr-side">
        <p className="k-muted">{t('kiosk.qr.amount')}</p>
        <p className="k-amount" data-testid="qr-amount">
          {amount}
        </p>
        <p className="k-lead">{t('kiosk.qr.hint')}</p>
        {secondsLeft !== null && (
          <p className="k-muted" data-testid="qr-expires" aria-live="off">
            {t('kiosk.qr.expires', { seconds: secondsLeft })}
          </p>
        )}
        <p className="k-waiting" role="status">
          {t('kiosk.qr.waiting')}
        </p>
        {error && (
          <p className="k-error" role="alert">
            {errorText(error)}
          </p>
        )}
        <button type="button" className="k-secondary k-wide" disabled={busy} onClick={() => void cancel('cancelled')} data-testid="qr-cancel">
          {t('kiosk.qr.cancel')}
        </button>
      </div>
    </div>
  );
}
