/**
 * Choosing what to pay: bills (all, or chosen ones — a chosen bill takes every older one with it,
 * the one settlement rule) with the quote as of today; or electricity (preset amounts or the
 * keypad) with the split preview before paying. No money moves on these screens.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { KioskAccountView, KioskBillsQuoteView, KioskVendQuoteView, WireError } from '../../../main/contract/index.js';
import { formatFen } from '../format';
import { useErrorText } from '../rpc';
import { SplitTable } from '../vending/split-table';
import { Keypad } from './keypad';
import { kcall } from './kiosk-calls';

export type BillChoice = 'all' | readonly string[];

/** The bills a choice pays: a chosen bill comes with every older open bill (bills are oldest first). */
export function completeChoice(bills: readonly { billId: string }[], chosen: ReadonlySet<string>): BillChoice {
  let last = -1;
  bills.forEach((b, i) => {
    if (chosen.has(b.billId)) last = i;
  });
  if (last === bills.length - 1 || last < 0) return 'all';
  return bills.slice(0, last + 1).map((b) => b.billId);
}

export function BillsScreen({ visitId, account, onPay }: { readonly visitId: string; readonly account: KioskAccountView; readonly onPay: (bills: BillChoice, quote: KioskBillsQuoteView) => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const bills = account.openBills;
  const [chosen, setChosen] = useState<ReadonlySet<string>>(() => new Set(bills.map((b) => b.billId)));
  const [quote, setQuote] = useState<KioskBillsQuoteView | null>(null);
  const [error, setError] = useState<WireError | null>(null);
  const choice = completeChoice(bills, chosen);
  const choiceKey = choice === 'all' ? 'all' : choice.join(',');

  useEffect(() => {
    let alive = true;
    setQuote(null);
    setError(null);
    void kcall('kiosk.quoteBills', { visitId, bills: choice === 'all' ? 'all' : [...choice] }).then((r) => {
      if (!alive) return;
      if (r.ok) setQuote(r.result);
      else setError(r.error);
    });
    return () => {
      alive = false;
    };
    // choiceKey stands for choice (a new array each render).
  }, [visitId, choiceKey]);

  // Choosing a bill also chooses every older one; un-choosing one also drops every newer one.
  const toggle = (index: number) => {
    const on = chosen.has(bills[index]!.billId);
    const next = new Set<string>();
    bills.forEach((b, i) => {
      if (on ? i < index : i <= index || chosen.has(b.billId)) next.add(b.billId);
    });
    setChosen(next);
  };
  const allOn = chosen.size === bills.length;

  return (
    <div className="k-bills">
      <p className="k-muted">{t('kiosk.bills.hint')}</p>
      <div className="k-bill-list" role="group" aria-label={t('kiosk.bills.title')}>
        <button type="button" className={allOn ? 'k-check on' : 'k-check'} role="checkbox" aria-checked={allOn} onClick={() => setChosen(new Set(allOn ? [] : bills.map((b) => b.billId)))} data-testid="bills-all">
          <span className="k-box" aria-hidden="true" />
          <span className="k-check-main">{t('kiosk.bills.all')}</span>
        </button>
        {bills.map((b, i) => {
          const on = chosen.has(b.billId);
          return (
            <button type="button" key={b.billId} className={on ? 'k-check on' : 'k-check'} role="checkbox" aria-checked={on} onClick={() => toggle(i)} data-testid={`bill-${b.billId}`}>
              <span className="k-box" aria-hidden="true" />
              <span className="k-check-main">
                {b.period}
                {b.daysOverdue > 0 && <small className="k-overdue">{t('kiosk.account.overdue', { days: b.daysOverdue })}</small>}
              </span>
              <span className="num">{formatFen(b.outstandingFen)}</span>
              {b.lateFeeFen > 0 && <small className="num k-fee">+ {t('kiosk.account.lateFee')} {formatFen(b.lateFeeFen)}</small>}
            </button>
          );
        })}
      </div>
      {error && (
        <p className="k-error" role="alert" data-testid="bills-error">
          {errorText(error)}
        </p>
      )}
      {quote && chosen.size > 0 && (
        <div className="k-panel k-quote" data-testid="bills-quote">
          <dl className="k-facts">
            <dt>{t('kiosk.bills.principal')}</dt>
            <dd className="num">{formatFen(quote.principalFen)}</dd>
            <dt>{t('kiosk.bills.lateFee')}</dt>
            <dd className="num">{formatFen(quote.lateFeeFen)}</dd>
            <dt className="k-strong">{t('kiosk.bills.total')}</dt>
            <dd className="num k-big" data-testid="bills-total">
              {formatFen(quote.totalFen)}
            </dd>
          </dl>
        </div>
      )}
      <div className="k-actions">
        <button type="button" className="k-primary" disabled={!quote || chosen.size === 0} onClick={() => quote && onPay(choice, quote)} data-testid="bills-pay">
          {t('kiosk.bills.pay', { amount: quote ? formatFen(quote.totalFen).slice(1) : '—' })}
        </button>
      </div>
    </div>
  );
}

export const PRESETS = ['50', '100', '200', '500'] as const;

export function BuyScreen({ visitId, toCard, onQuoted }: { readonly visitId: string; readonly toCard: boolean; readonly onQuoted: (amount: string, quote: KioskVendQuoteView) => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [amount, setAmount] = useState('');
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);
  const quote = async (value: string) => {
    setBusy(true);
    setError(null);
    const r = await kcall('kiosk.quoteVend', { visitId, amount: value });
    setBusy(false);
    if (r.ok) onQuoted(value, r.result);
    else setError(r.error);
  };
  return (
    <div className="k-buy">
      <p className="k-muted">{toCard ? t('kiosk.buy.toCard') : t('kiosk.buy.toToken')}</p>
      <div className="k-buy-grid">
        <section className="k-presets" aria-labelledby="presets-title">
          <h2 id="presets-title">{t('kiosk.buy.presets')}</h2>
          <div className="k-preset-buttons">
            {PRESETS.map((p) => (
              <button type="button" key={p} className="k-choice k-preset" disabled={busy} onClick={() => void quote(p)} data-testid={`preset-${p}`}>
                ¥{p}
              </button>
            ))}
          </div>
          {error && (
            <p className="k-error" role="alert" data-testid="buy-error">
              {errorText(error)}
            </p>
          )}
        </section>
        <section className="k-other" aria-label={t('kiosk.buy.other')}>
          <Keypad
            value={amount}
            onChange={(v) => {
              setAmount(v);
              setError(null);
            }}
            label={t('kiosk.buy.other')}
            placeholder={t('kiosk.buy.amountLabel')}
            prefix="¥"
            decimal
            maxLength={8}
            onSubmit={() => void quote(amount)}
            submitLabel={t('kiosk.buy.preview')}
            submitDisabled={busy}
            testId="amount-keypad"
          />
        </section>
      </div>
    </div>
  );
}

export function ConfirmVend({ quote, onPay }: { readonly quote: KioskVendQuoteView; readonly onPay: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="k-confirm" data-testid="confirm-vend">
      <p className="k-lead" data-testid="confirm-delivery">
        {quote.delivery === 'card' ? t('kiosk.buy.toCard') : t('kiosk.buy.toToken')}
      </p>
      <div className="k-panel k-split">
        <SplitTable split={quote} />
      </div>
      <div className="k-actions">
        <button type="button" className="k-primary" onClick={onPay} data-testid="confirm-pay">
          {t('kiosk.confirm.pay', { amount: formatFen(quote.amountFen).slice(1) })}
        </button>
      </div>
    </div>
  );
}
