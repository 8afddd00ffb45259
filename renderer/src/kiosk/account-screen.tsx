/**
 * The visit's account: masked name and address, open bills with late fees, the amount due, the
 * tier; with the card or the phone check also the balance, the last purchases and 12 months of
 * consumption. The actions offered follow the kiosk's capabilities, function by function.
 */
import { useTranslation } from 'react-i18next';
import type { KioskAccountView, KioskStatusView, KioskVisitView } from '../../../main/contract/index.js';
import { formatFen } from '../format';
import { formatDateTime } from '../format-time';
import { formatCkwh } from '../vending/format-energy';
import { ConsumptionChart } from './consumption-chart';
import { unavailable } from './notices';

export interface AccountActions {
  readonly onPayBills: () => void;
  readonly onBuy: () => void;
  readonly onVerify: () => void;
}

/** Whether this account can buy electricity here now (its meter kind's function is available). */
export function canBuy(account: KioskAccountView, status: KioskStatusView | null): boolean {
  if (!account.vendMeter) return false;
  const f = account.vendMeter.kind === 'card' ? 'cardTopUp' : 'buyToken';
  return !unavailable(status, f) && !unavailable(status, 'qr');
}

export function canPayBills(account: KioskAccountView, status: KioskStatusView | null): boolean {
  return account.openBills.length > 0 && !unavailable(status, 'payBills') && !unavailable(status, 'qr');
}

export function AccountScreen({ account, visit, status, timeZone, actions }: { readonly account: KioskAccountView; readonly visit: KioskVisitView; readonly status: KioskStatusView | null; readonly timeZone: string; readonly actions: AccountActions }) {
  const { t, i18n } = useTranslation();
  const holder = account.access === 'holder';
  const tier = account.tier;
  return (
    <div className="k-account" data-testid="account" data-access={account.access}>
      {account.source === 'cache' && (
        <p className="k-note" data-testid="account-cached">
          {t('kiosk.account.cached', { asOf: formatDateTime(account.asOf, timeZone, i18n.language) })}
        </p>
      )}
      <div className="k-account-grid">
        <section className="k-panel k-facts-panel">
          <dl className="k-facts">
            <dt>{t('kiosk.account.accountNo')}</dt>
            <dd data-testid="account-no">{account.accountNo}</dd>
            <dt>{t('kiosk.account.name')}</dt>
            <dd data-testid="account-name">{account.nameMasked}</dd>
            <dt>{t('kiosk.account.address')}</dt>
            <dd data-testid="account-address">{account.addressMasked}</dd>
            {account.phoneMasked && (
              <>
                <dt>{t('kiosk.account.phone')}</dt>
                <dd data-testid="account-phone">{account.phoneMasked}</dd>
              </>
            )}
            <dt>{t('kiosk.account.mode')}</dt>
            <dd>{t(`kiosk.account.modes.${account.paymentMode}`)}</dd>
            {account.vendMeter && (
              <>
                <dt>{t('kiosk.account.meter')}</dt>
                <dd data-testid="account-meter">{t(`kiosk.account.meterKinds.${account.vendMeter.kind}`, { tail: account.vendMeter.meterNoTail })}</dd>
              </>
            )}
            {tier && (
              <>
                <dt>{t('kiosk.account.tier')}</dt>
                <dd>
                  {tier.remainingInTierCkwh === null
                    ? t('kiosk.account.tierText', { tier: tier.tier, count: tier.tierCount })
                    : t('kiosk.account.tierLeft', { tier: tier.tier, kwh: formatCkwh(tier.remainingInTierCkwh) })}
                </dd>
              </>
            )}
            {holder && account.balanceFen !== null && (
              <>
                <dt>{t('kiosk.account.balance')}</dt>
                <dd className="k-strong" data-testid="account-balance">
                  {formatFen(account.balanceFen)}
                </dd>
              </>
            )}
          </dl>
        </section>
        <section className="k-panel k-bills-panel" data-testid="account-bills">
          <h2>{t('kiosk.account.bills')}</h2>
          {account.openBills.length === 0 ? (
            <p className="k-muted">{t('kiosk.account.noBills')}</p>
          ) : (
            <table className="k-table">
              <thead>
                <tr>
                  <th scope="col">{t('kiosk.account.period')}</th>
                  <th scope="col" className="num">
                    {t('kiosk.account.amount')}
                  </th>
                  <th scope="col" className="num">
                    {t('kiosk.account.lateFee')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {account.openBills.map((b) => (
                  <tr key={b.billId} className={b.daysOverdue > 0 ? 'overdue' : undefined}>
                    <td>
                      {b.period}
                      {b.daysOverdue > 0 && <span className="k-overdue">{t('kiosk.account.overdue', { days: b.daysOverdue })}</span>}
                    </td>
                    <td className="num">{formatFen(b.outstandingFen)}</td>
                    <td className="num">{formatFen(b.lateFeeFen)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p className="k-total">
            {t('kiosk.account.totalDue')} <strong data-testid="account-total-due">{formatFen(account.totalDueFen)}</strong>
          </p>
        </section>
      </div>
      {holder && account.consumption && (
        <section className="k-panel">
          <ConsumptionChart months={account.consumption.map((m) => ({ period: m.period, kwh: (m.consumptionCkwh ?? 0) / 100 }))} />
        </section>
      )}
      {holder && account.purchases && (
        <section className="k-panel" data-testid="account-purchases">
          <h2>{t('kiosk.account.purchases')}</h2>
          {account.purchases.length === 0 ? (
            <p className="k-muted">{t('kiosk.account.noPurchases')}</p>
          ) : (
            <ul className="k-purchases">
              {account.purchases.map((p) => (
                <li key={p.vendId}>
                  <span>{formatDateTime(p.at, timeZone, i18n.language)}</span>
                  <span className="num">{formatFen(p.amountFen)}</span>
                  <span className="num">{t('kiosk.account.purchaseLine', { kwh: formatCkwh(p.energyCkwh) })}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      <div className="k-actions">
        {!holder && visit.verifyAttemptsLeft > 0 && (
          <button type="button" className="k-secondary" onClick={actions.onVerify} data-testid="account-verify">
            {t('kiosk.account.more')}
          </button>
        )}
        {account.openBills.length > 0 && (
          <button type="button" className="k-primary" onClick={actions.onPayBills} disabled={!canPayBills(account, status)} data-testid="account-pay-bills">
            {t('kiosk.account.payBills')}
          </button>
        )}
        {account.vendMeter && (
          <button type="button" className="k-primary" onClick={actions.onBuy} disabled={!canBuy(account, status)} data-testid="account-buy">
            {t('kiosk.account.buy')}
          </button>
        )}
      </div>
    </div>
  );
}
