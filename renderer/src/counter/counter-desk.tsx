import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountSummary, AccountView, PaymentView, WireError } from '../../../main/contract/index.js';
import { call, useErrorText } from '../rpc';
import { AccountPanel } from './account-panel';
import { PayPanel } from './pay-panel';
import { PaymentDone } from './payment-done';
import { PrinterHealthBanner } from '../devices';
import { useScans } from '../use-scans';

/** One customer at a time: find the account, see what is owed, take the payment, print. */
export function CounterDesk() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [query, setQuery] = useState('');
  const [account, setAccount] = useState<AccountView | null>(null);
  const [matches, setMatches] = useState<readonly AccountSummary[] | null>(null);
  const [payment, setPayment] = useState<PaymentView | null>(null);
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);

  const open = async (accountNo: string) => {
    setBusy(true);
    setError(null);
    const r = await call('account.lookup', { accountNo });
    setBusy(false);
    if (r.ok) {
      setAccount(r.result);
      setMatches(null);
    } else setError(r.error);
  };

  const find = async (text: string) => {
    setPayment(null);
    setAccount(null);
    const q = text.trim();
    if (/^\d{10}$/.test(q)) return open(q);
    setBusy(true);
    setError(null);
    const r = await call('account.search', { q });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    const only = r.result.items.length === 1 ? r.result.items[0] : undefined;
    if (only) return open(only.accountNo);
    setMatches(r.result.items);
  };

  // A scanned bill barcode, account or meter number finds the customer, wherever the focus is.
  useScans((data) => {
    setQuery(data);
    void find(data);
  });

  const next = () => {
    setPayment(null);
    setAccount(null);
    setMatches(null);
    setQuery('');
  };

  return (
    <div className="desk">
      <form
        className="card lookup"
        onSubmit={(e) => {
          e.preventDefault();
          void find(query);
        }}
        data-testid="lookup"
      >
        <h2>{t('lookup.title')}</h2>
        <label>
          {t('lookup.searchHint')}
          <input data-testid="lookup-query" value={query} onChange={(e) => setQuery(e.target.value)} autoFocus autoComplete="off" />
        </label>
        <button type="submit" disabled={busy || query.trim() === ''} data-testid="lookup-submit">
          {t('lookup.submit')}
        </button>
        {error && <p className="error" role="alert" data-testid="error">{errorText(error)}</p>}
        {matches && (
          <div className="matches" data-testid="matches">
            <h3>{t('lookup.results')}</h3>
            {matches.length === 0 && <p>{t('lookup.noResults')}</p>}
            {matches.map((m) => (
              <button type="button" key={m.accountNo} className="match" onClick={() => void open(m.accountNo)}>
                <strong>{m.accountNo}</strong> {m.name}
                <small>{m.address}</small>
              </button>
            ))}
          </div>
        )}
      </form>
      <section className="work">
        <PrinterHealthBanner />
        {payment ? (
          <PaymentDone payment={payment} onNext={next} />
        ) : (
          account && (
            <>
              <AccountPanel account={account} />
              <PayPanel key={account.accountNo} account={account} onPaid={setPayment} />
            </>
          )
        )}
      </section>
    </div>
  );
}
