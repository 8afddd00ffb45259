import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountView, PaymentView, WireError } from '../../../main/contract/index.js';
import { fenToYuanText } from '../format';
import { call, useErrorText } from '../rpc';
import type { Language } from '../i18n';

/**
 * Cash payment. The request id is made once per intended payment, so a double click or a retry
 * after a lost answer returns the first payment instead of taking the money twice.
 */
export function PayPanel({ account, onPaid }: { account: AccountView; onPaid: (p: PaymentView) => void }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const requestId = useMemo(() => crypto.randomUUID(), []);
  const [amount, setAmount] = useState(account.totalDueFen > 0 ? fenToYuanText(account.totalDueFen) : '');
  const [tendered, setTendered] = useState('');
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
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
    setBusy(false);
    if (r.ok) onPaid(r.result);
    else setError(r.error);
  };

  return (
    <form className="card pay" onSubmit={(e) => void submit(e)} data-testid="pay">
      <h2>{t('pay.title')}</h2>
      <div className="row">
        <label>
          {t('pay.amount')}
          <input data-testid="amount" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} autoComplete="off" />
        </label>
        <label>
          {t('pay.tendered')}
          <input data-testid="tendered" inputMode="decimal" value={tendered} onChange={(e) => setTendered(e.target.value)} autoComplete="off" />
        </label>
      </div>
      {error && <p className="error" role="alert" data-testid="error">{errorText(error)}</p>}
      <button type="submit" disabled={busy} data-testid="pay-submit">
        {t('pay.submit')}
      </button>
    </form>
  );
}
