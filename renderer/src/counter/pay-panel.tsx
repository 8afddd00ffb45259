import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountView, PaymentView, WireError } from '../../../main/contract/index.js';
import { parseYuan } from '../../../main/domain/money.js';
import { fenToYuanText, formatFen } from '../format';
import { call, useErrorText } from '../rpc';
import type { Language } from '../i18n';

/** Fen of a typed amount, or null while it is not (yet) a valid amount; the core still has the last word. */
function fenOf(text: string): number | null {
  const r = parseYuan(text);
  return r.ok ? r.fen : null;
}

/**
 * Cash payment. The request id is made once per intended payment, so a double click or a retry
 * after a lost answer returns the first payment instead of taking the money twice.
 *
 * An amount other than the total due (a part payment, or more than due going to the prepaid
 * balance) is confirmed once before the money is taken: the clerk reads back what happens to it.
 */
export function PayPanel({ account, onPaid }: { account: AccountView; onPaid: (p: PaymentView) => void }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const requestId = useMemo(() => crypto.randomUUID(), []);
  const [amount, setAmount] = useState(account.totalDueFen > 0 ? fenToYuanText(account.totalDueFen) : '');
  const [tendered, setTendered] = useState('');
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const inFlight = useRef(false);
  const amountRef = useRef<HTMLInputElement>(null);
  const tenderedRef = useRef<HTMLInputElement>(null);

  // The amount starts at the total due, so what the clerk types next is the cash handed over.
  useEffect(() => {
    (account.totalDueFen > 0 ? tenderedRef : amountRef).current?.focus();
  }, [account.totalDueFen]);

  const amountFen = fenOf(amount);
  const tenderedFen = tendered.trim() ? fenOf(tendered) : null;
  const differs = amountFen !== null && amountFen !== account.totalDueFen;

  const edit = (set: (v: string) => void) => (v: string) => {
    set(v);
    setError(null);
    setConfirming(false);
  };

  const pay = async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setError(null);
    const r = await call('payment.create', {
      requestId,
      accountNo: account.accountNo,
      method: 'cash',
      amount,
      ...(tendered.trim() ? { tendered } : {}),
      receiptLocale: i18n.language as Language,
    });
    inFlight.current = false;
    setBusy(false);
    setConfirming(false);
    if (r.ok) onPaid(r.result);
    else setError(r.error);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (differs && !confirming && (tenderedFen === null || tenderedFen >= amountFen)) return setConfirming(true);
    void pay();
  };

  const back = () => {
    setConfirming(false);
    amountRef.current?.select();
  };

  const confirmText = (): string => {
    if (amountFen === null) return '';
    const due = account.totalDueFen;
    if (due === 0) return t('pay.confirmAllToBalance', { amount: formatFen(amountFen) });
    if (amountFen > due) return t('pay.confirmOver', { amount: formatFen(amountFen), due: formatFen(due), extra: formatFen(amountFen - due) });
    return t('pay.confirmUnder', { amount: formatFen(amountFen), due: formatFen(due), left: formatFen(due - amountFen) });
  };

  return (
    <form className="card pay" onSubmit={submit} data-testid="pay">
      <h2>{t('pay.title')}</h2>
      <div className="row">
        <label>
          {t('pay.amount')}
          <input
            ref={amountRef}
            data-testid="amount"
            inputMode="decimal"
            value={amount}
            onChange={(e) => edit(setAmount)(e.target.value)}
            readOnly={busy}
            autoComplete="off"
          />
        </label>
        <label>
          {t('pay.tendered')}
          <input
            ref={tenderedRef}
            data-testid="tendered"
            inputMode="decimal"
            value={tendered}
            onChange={(e) => edit(setTendered)(e.target.value)}
            readOnly={busy}
            autoComplete="off"
          />
        </label>
        {amountFen !== null && tenderedFen !== null && (
          tenderedFen >= amountFen ? (
            <p className="live-change" data-testid="change-due">
              {t('pay.change')} <strong>{formatFen(tenderedFen - amountFen)}</strong>
            </p>
          ) : (
            <p className="live-change short" data-testid="change-due">
              {t('pay.short')} <strong>{formatFen(amountFen - tenderedFen)}</strong>
            </p>
          )
        )}
      </div>
      {error && <p className="error" role="alert" data-testid="error">{errorText(error)}</p>}
      {confirming ? (
        <div className="confirm" role="alertdialog" data-testid="confirm-amount" onKeyDown={(e) => e.key === 'Escape' && back()}>
          <p data-testid="confirm-text">{confirmText()}</p>
          <div className="row">
            <button type="button" className="secondary" onClick={back} data-testid="confirm-back" disabled={busy}>
              {t('pay.changeAmount')}
            </button>
            <button type="submit" data-testid="confirm-pay" disabled={busy} autoFocus>
              {busy ? t('pay.busy') : t('pay.confirmTake', { amount: amountFen === null ? '' : formatFen(amountFen) })}
            </button>
          </div>
        </div>
      ) : (
        <button type="submit" disabled={busy} data-testid="pay-submit">
          {busy ? t('pay.busy') : t('pay.submit')}
        </button>
      )}
    </form>
  );
}
