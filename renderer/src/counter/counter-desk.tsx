import { useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountSummary, AccountView, PaymentView, WireError } from '../../../main/contract/index.js';
import { call, useErrorText } from '../rpc';
import { AccountPanel, type AccountExtras } from './account-panel';
import { PayPanel } from './pay-panel';
import { PaymentDone } from './payment-done';
import { RecentPayments } from './recent-payments';
import { captureScan } from './scan-capture';
import { PrinterHealthBanner } from '../devices';
import { ClockBanner } from './clock-banner';
import { useScans } from '../use-scans';

/** One customer at a time: find the account, see what is owed, take the payment, print. */
export function CounterDesk() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [query, setQuery] = useState('');
  const [account, setAccount] = useState<AccountView | null>(null);
  const [extras, setExtras] = useState<AccountExtras | undefined>(undefined);
  const [matches, setMatches] = useState<{ items: readonly AccountSummary[]; source: 'online' | 'cache' } | null>(null);
  const [payment, setPayment] = useState<PaymentView | null>(null);
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);
  const queryRef = useRef<HTMLInputElement>(null);
  const matchesRef = useRef<HTMLDivElement>(null);
  // A scan or a second Enter while a lookup is on the wire must not start another one.
  const inFlight = useRef(false);

  const failed = (e: WireError) => {
    setError(e);
    // The clerk types the corrected query over the old one.
    queryRef.current?.select();
  };

  const open = async (accountNo: string) => {
    setBusy(true);
    setError(null);
    const r = await call('account.lookup', { accountNo });
    if (!r.ok) {
      setBusy(false);
      return failed(r.error);
    }
    // The grade and points are shown with the account (cards arriving later would move the pay
    // panel under the clerk's pointer); they are read after the lookup, which refreshes the cache
    // they are graded from.
    const [credit, points] = await Promise.all([call('credit.get', { accountNo }), call('points.balance', { accountNo })]);
    setBusy(false);
    setExtras({ credit, points });
    setAccount(r.result);
    setMatches(null);
  };

  const find = async (text: string) => {
    const q = text.trim();
    if (q === '' || inFlight.current) return;
    inFlight.current = true;
    try {
      setPayment(null);
      setAccount(null);
      setMatches(null);
      if (/^\d{10}$/.test(q)) return await open(q);
      setBusy(true);
      setError(null);
      const r = await call('account.search', { q });
      setBusy(false);
      if (!r.ok) return failed(r.error);
      const only = r.result.items.length === 1 ? r.result.items[0] : undefined;
      if (only) return await open(only.accountNo);
      setMatches(r.result);
    } finally {
      inFlight.current = false;
    }
  };

  // A scanned bill barcode, account or meter number finds the customer, wherever the focus is.
  useScans((data) => {
    // A payment code the pay panel is waiting for is not a search.
    if (captureScan(data)) return;
    setQuery(data);
    void find(data);
  });

  const next = () => {
    setPayment(null);
    setAccount(null);
    setMatches(null);
    setError(null);
    setQuery('');
    // The next customer's number is typed (or scanned) straight away.
    queryRef.current?.focus();
  };

  // The results list by keyboard: ↓ from the search box into the list, ↑/↓ through it, Esc back.
  const matchButtons = () => Array.from(matchesRef.current?.querySelectorAll<HTMLButtonElement>('button.match') ?? []);
  const onQueryKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'ArrowDown') return;
    const first = matchButtons()[0];
    if (first) {
      e.preventDefault();
      first.focus();
    }
  };
  const onMatchKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const buttons = matchButtons();
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp' || e.key === 'Escape') e.preventDefault();
    if (e.key === 'ArrowDown') buttons[Math.min(at + 1, buttons.length - 1)]?.focus();
    else if (e.key === 'ArrowUp') (at === 0 ? queryRef.current : buttons[at - 1])?.focus();
    else if (e.key === 'Escape') queryRef.current?.focus();
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
          <input
            ref={queryRef}
            data-testid="lookup-query"
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              setError(null);
            }}
            onKeyDown={onQueryKey}
            autoFocus
            autoComplete="off"
          />
        </label>
        <button type="submit" disabled={busy || query.trim() === ''} data-testid="lookup-submit">
          {busy ? t('lookup.searching') : t('lookup.submit')}
        </button>
        {error && <p className="error" role="alert" data-testid="error">{errorText(error)}</p>}
        {matches && (
          <div className="matches" data-testid="matches" ref={matchesRef} onKeyDown={onMatchKey}>
            <h3>{t('lookup.resultsCount', { count: matches.items.length })}</h3>
            {matches.source === 'cache' && <p className="cached-note" data-testid="matches-cached">{t('lookup.cachedResults')}</p>}
            {matches.items.length === 0 && <p data-testid="no-results">{t('lookup.noResults')}</p>}
            {matches.items.length > 0 && <p className="hint">{t('lookup.resultsHint')}</p>}
            {matches.items.map((m) => (
              <button type="button" key={m.accountNo} className="match" onClick={() => void open(m.accountNo)} data-testid="match">
                <span className="match-head">
                  <strong>{m.accountNo}</strong> {m.name}
                </span>
                <small>{m.address}</small>
              </button>
            ))}
          </div>
        )}
      </form>
      <section className="work">
        <ClockBanner />
        <PrinterHealthBanner />
        {payment ? (
          <PaymentDone payment={payment} account={account} onNext={next} />
        ) : (
          account && (
            <>
              <AccountPanel key={account.accountNo} account={account} extras={extras} onChanged={() => void open(account.accountNo)} />
              <PayPanel key={account.accountNo} account={account} onPaid={setPayment} />
              <RecentPayments key={`recent:${account.accountNo}:${account.totalDueFen}`} accountNo={account.accountNo} onChanged={() => void open(account.accountNo)} />
            </>
          )
        )}
      </section>
    </div>
  );
}
