import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountView, CounterPaymentMethod, ParamsOf, PaymentView, WireError } from '../../../main/contract/index.js';
import { parseYuan } from '../../../main/domain/money.js';
import { fenToYuanText, formatFen } from '../format';
import { call, useErrorText } from '../rpc';
import type { Language } from '../i18n';
import { usePaymentCodeScans } from './scan-capture';
import './payments.css';

/** Fen of a typed amount, or null while it is not (yet) a valid amount; the core still has the last word. */
function fenOf(text: string): number | null {
  const r = parseYuan(text);
  return r.ok ? r.fen : null;
}

const METHODS: readonly CounterPaymentMethod[] = ['cash', 'code', 'card', 'split'];

/**
 * Taking a payment: cash (with change), the customer's payment code (scanned; charged through the
 * gateway before anything is recorded), a bank card on the bank POS (its reference number typed
 * from the slip), or split — part cash, the rest by payment code. The request id is made once per
 * intended payment, so a double click or a retry after a lost answer returns the first payment
 * instead of taking the money (or charging the code) twice.
 *
 * An amount other than the total due (a part payment, or more than due going to the prepaid
 * balance) is confirmed once before the money is taken: the clerk reads back what happens to it.
 */
export function PayPanel({ account, onPaid }: { account: AccountView; onPaid: (p: PaymentView) => void }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const [requestId, setRequestId] = useState(() => crypto.randomUUID());
  const [method, setMethod] = useState<CounterPaymentMethod>('cash');
  const [amount, setAmount] = useState(account.totalDueFen > 0 ? fenToYuanText(account.totalDueFen) : '');
  const [tendered, setTendered] = useState('');
  const [authCode, setAuthCode] = useState('');
  const [cardReference, setCardReference] = useState('');
  const [cashPart, setCashPart] = useState('');
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  // The due the amount was last set from, and whether the clerk has typed over it since.
  const [amountFollows, setAmountFollows] = useState(true);
  const [dueSeen, setDueSeen] = useState(account.totalDueFen);
  const [dueChanged, setDueChanged] = useState(false);
  const inFlight = useRef(false);
  const amountRef = useRef<HTMLInputElement>(null);
  const tenderedRef = useRef<HTMLInputElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);
  const cardRef = useRef<HTMLInputElement>(null);
  const cashPartRef = useRef<HTMLInputElement>(null);

  // The account may be refreshed while the panel is open (a waiver, a void, the sync): an amount
  // the clerk has not touched follows the new total; a typed one is kept and the change is shown,
  // never silently replaced under the clerk's fingers.
  if (account.totalDueFen !== dueSeen) {
    setDueSeen(account.totalDueFen);
    setConfirming(false);
    if (amountFollows) setAmount(account.totalDueFen > 0 ? fenToYuanText(account.totalDueFen) : '');
    else setDueChanged(true);
  }

  // The amount starts at the total due, so what the clerk types next is the cash handed over.
  useEffect(() => {
    (account.totalDueFen > 0 ? tenderedRef : amountRef).current?.focus();
  }, [account.totalDueFen]);

  // The customer's payment code comes from the scanner (or is typed) while a code is wanted.
  const wantsCode = method === 'code' || method === 'split';
  usePaymentCodeScans(wantsCode && !busy, (code) => {
    setAuthCode(code);
    setError(null);
  });

  const amountFen = fenOf(amount);
  const tenderedFen = tendered.trim() ? fenOf(tendered) : null;
  const cashPartFen = fenOf(cashPart);
  const codePartFen = amountFen !== null && cashPartFen !== null ? amountFen - cashPartFen : null;
  const differs = amountFen !== null && amountFen !== account.totalDueFen;
  const cashFen = method === 'cash' ? amountFen : method === 'split' ? cashPartFen : null;

  const edit = (set: (v: string) => void) => (v: string) => {
    set(v);
    setError(null);
    setConfirming(false);
  };

  const choose = (m: CounterPaymentMethod) => {
    setMethod(m);
    setError(null);
    setConfirming(false);
    // The method's field exists after the render: focus it then — unless the clerk has moved on
    // meanwhile (into the amount, say), whose keys would otherwise land in the code field.
    const chosenFrom = document.activeElement;
    window.setTimeout(() => {
      if (document.activeElement !== chosenFrom && document.activeElement !== document.body) return;
      const next = m === 'code' ? codeRef : m === 'card' ? cardRef : m === 'split' ? cashPartRef : tenderedRef;
      next.current?.focus();
    }, 0);
  };

  const params = (): ParamsOf<'payment.create'> => {
    const base = { requestId, accountNo: account.accountNo, amount, receiptLocale: i18n.language as Language };
    switch (method) {
      case 'cash':
        return { ...base, method, ...(tendered.trim() ? { tendered } : {}) };
      case 'code':
        return { ...base, method, authCode };
      case 'card':
        return { ...base, method, cardReference };
      case 'split':
        return {
          ...base,
          method,
          tenders: [
            { method: 'cash', amount: cashPart, ...(tendered.trim() ? { tendered } : {}) },
            { method: 'code', amount: codePartFen !== null && codePartFen > 0 ? fenToYuanText(codePartFen) : '0', authCode },
          ],
        };
    }
  };

  const pay = async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setError(null);
    const r = await call('payment.create', params());
    inFlight.current = false;
    setBusy(false);
    setConfirming(false);
    if (r.ok) return onPaid(r.result);
    setError(r.error);
    // A code that was declined or not charged is gone: the next attempt is a new payment with a new code.
    if (['payment.code_declined', 'payment.code_not_charged', 'payment.code_reversal_pending'].includes(r.error.code)) {
      setRequestId(crypto.randomUUID());
      setAuthCode('');
      codeRef.current?.focus();
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const cashShort = cashFen !== null && tenderedFen !== null && tenderedFen < cashFen;
    if (differs && !confirming && !cashShort) return setConfirming(true);
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

  const busyText = wantsCode ? t('payments.waitingForCustomer') : t('pay.busy');

  return (
    <form className="card pay" onSubmit={submit} data-testid="pay">
      <h2>{t('payments.title')}</h2>
      <div className="methods" role="radiogroup" aria-label={t('payments.method')}>
        {METHODS.map((m) => (
          <button
            type="button"
            key={m}
            role="radio"
            aria-checked={method === m}
            className={method === m ? 'method active' : 'method'}
            onClick={() => choose(m)}
            disabled={busy}
            data-testid={`method-${m}`}
          >
            {t(`payment.method.${m}`)}
          </button>
        ))}
      </div>
      <div className="row">
        <label>
          {t('pay.amount')}
          <input
            ref={amountRef}
            data-testid="amount"
            inputMode="decimal"
            value={amount}
            onChange={(e) => {
              setAmountFollows(false);
              edit(setAmount)(e.target.value);
            }}
            readOnly={busy}
            autoComplete="off"
          />
        </label>
        {method === 'split' && (
          <label>
            {t('payments.cashPart')}
            <input
              ref={cashPartRef}
              data-testid="split-cash"
              inputMode="decimal"
              value={cashPart}
              onChange={(e) => edit(setCashPart)(e.target.value)}
              readOnly={busy}
              autoComplete="off"
            />
          </label>
        )}
        {(method === 'cash' || method === 'split') && (
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
        )}
        {cashFen !== null && tenderedFen !== null && (
          tenderedFen >= cashFen ? (
            <p className="live-change" data-testid="change-due">
              {t('pay.change')} <strong>{formatFen(tenderedFen - cashFen)}</strong>
            </p>
          ) : (
            <p className="live-change short" data-testid="change-due">
              {t('pay.short')} <strong>{formatFen(cashFen - tenderedFen)}</strong>
            </p>
          )
        )}
      </div>
      {method === 'split' && codePartFen !== null && codePartFen > 0 && (
        <p className="hint" data-testid="split-code-part">{t('payments.codePart', { amount: formatFen(codePartFen) })}</p>
      )}
      {wantsCode && (
        <label>
          {t('payments.authCode')}
          <input
            ref={codeRef}
            data-testid="auth-code"
            inputMode="numeric"
            value={authCode}
            placeholder={t('payments.authCodeHint')}
            onChange={(e) => edit(setAuthCode)(e.target.value.replace(/\s+/g, ''))}
            readOnly={busy}
            autoComplete="off"
          />
        </label>
      )}
      {method === 'card' && (
        <>
          <p className="hint">{t('payments.cardHint')}</p>
          <label>
            {t('payments.cardReference')}
            <input
              ref={cardRef}
              data-testid="card-reference"
              value={cardReference}
              onChange={(e) => edit(setCardReference)(e.target.value.trim())}
              readOnly={busy}
              autoComplete="off"
            />
          </label>
        </>
      )}
      {dueChanged && (
        <p className="hint" role="status" data-testid="due-changed">{t('pay.dueChanged', { due: formatFen(account.totalDueFen) })}</p>
      )}
      {error && <p className="error" role="alert" data-testid="error">{errorText(error)}</p>}
      {busy && wantsCode && <p className="waiting" role="status" data-testid="code-waiting">{busyText}</p>}
      {confirming ? (
        <div className="confirm" role="alertdialog" data-testid="confirm-amount" onKeyDown={(e) => e.key === 'Escape' && back()}>
          <p data-testid="confirm-text">{confirmText()}</p>
          <div className="row">
            <button type="button" className="secondary" onClick={back} data-testid="confirm-back" disabled={busy}>
              {t('pay.changeAmount')}
            </button>
            <button type="submit" data-testid="confirm-pay" disabled={busy} autoFocus>
              {busy ? busyText : t('pay.confirmTake', { amount: amountFen === null ? '' : formatFen(amountFen) })}
            </button>
          </div>
        </div>
      ) : (
        <button type="submit" disabled={busy} data-testid="pay-submit">
          {busy ? busyText : t(`payments.submit.${method}`)}
        </button>
      )}
    </form>
  );
}
