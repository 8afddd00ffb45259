import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountView } from '../../../main/contract/index.js';
import type { CallResult } from '../rpc';
import { formatFen } from '../format';
import { formatDateTime } from '../format-time';
import { useTerminalTimeZone } from '../use-terminal-time-zone';
import { LateFeeExplainer } from './late-fee-explainer';
import { CreditCard } from '../credit/credit-card';
import { PointsCard } from '../credit/points-card';

/** What the account panel shows beside the account, read in the same lookup so nothing arrives later. */
export interface AccountExtras {
  readonly credit: CallResult<'credit.get'>;
  readonly points: CallResult<'points.balance'>;
}

export function AccountPanel({ account, extras, onChanged }: { account: AccountView; extras?: AccountExtras; onChanged?: () => void }) {
  const { t, i18n } = useTranslation();
  // The bill whose late fee is being explained (one at a time).
  const [explaining, setExplaining] = useState<string | null>(null);
  const timeZone = useTerminalTimeZone();
  // Until the zone is known the ISO instant is shown: unambiguous, unlike a time in the browser's zone.
  const version = `${account.asOf}|${account.totalDueFen}|${account.balanceFen}`;
  const asOf = timeZone ? formatDateTime(account.asOf, timeZone, i18n.language) : account.asOf;
  return (
    <div className="card" data-testid="account">
      {account.source === 'cache' && (
        <p className="cached-banner" role="status" data-testid="cached-warning">
          {t('account.cachedAsOf', { asOf })}
        </p>
      )}
      {account.status === 'closed' && (
        <p className="cached-banner" role="status" data-testid="closed-warning">
          {t('account.closedWarning')}
        </p>
      )}
      <h2>
        <span data-testid="account-no">{account.accountNo}</span> <span data-testid="account-name">{account.name}</span>
      </h2>
      <dl className="facts">
        <dt>{t('account.address')}</dt>
        <dd>{account.address}</dd>
        <dt>{t('account.phone')}</dt>
        <dd>{account.phone}</dd>
        <dt>{t('account.class')}</dt>
        <dd>{t(`account.classes.${account.customerClass}`)}</dd>
        <dt>{t('account.mode')}</dt>
        <dd>{t(`account.modes.${account.paymentMode}`)}</dd>
        <dt>{t('account.balance')}</dt>
        <dd data-testid="balance">{formatFen(account.balanceFen)}</dd>
        <dt>{t('account.meters')}</dt>
        <dd>{account.meters.map((m) => m.meterNo).join(', ')}</dd>
      </dl>
      <CreditCard accountNo={account.accountNo} version={version} initial={extras?.credit} />
      <PointsCard accountNo={account.accountNo} version={version} initial={extras?.points} />
      <h3>{t('account.openBills')}</h3>
      {account.openBills.length === 0 ? (
        <p data-testid="no-open-bills">{t('account.noOpenBills')}</p>
      ) : (
        <table className="bills" data-testid="bills">
          <thead>
            <tr>
              <th>{t('bill.period')}</th>
              <th className="num">{t('bill.consumption')}</th>
              <th className="num">{t('bill.amount')}</th>
              <th className="num">{t('bill.outstanding')}</th>
              <th>{t('bill.dueDate')}</th>
              <th className="num">{t('bill.lateFee')}</th>
            </tr>
          </thead>
          <tbody>
            {account.openBills.map((b) => (
              <Fragment key={b.billId}>
                <tr className={b.daysOverdue > 0 ? 'overdue' : ''} data-testid="bill-row">
                  <td className="nowrap">{b.period}</td>
                  <td className="num">{(b.consumption / 100).toFixed(2)}</td>
                  <td className="num">{formatFen(b.amountFen)}</td>
                  <td className="num">{formatFen(b.outstandingFen)}</td>
                  <td>
                    <span className="nowrap">{b.dueDate}</span>
                    {b.daysOverdue > 0 && <> <small className="late nowrap">{t('bill.overdue', { days: b.daysOverdue })}</small></>}
                  </td>
                  <td className="num" title={b.lateFeeRuleKey ? t(b.lateFeeRuleKey) : ''}>
                    {b.lateFeeFen > 0 || (b.lateFeeWaivedFen ?? 0) > 0 ? (
                      <button
                        type="button"
                        className="link"
                        aria-expanded={explaining === b.billId}
                        onClick={() => setExplaining(explaining === b.billId ? null : b.billId)}
                        data-testid="late-fee-explain"
                      >
                        {formatFen(b.lateFeeFen)}
                      </button>
                    ) : (
                      formatFen(b.lateFeeFen)
                    )}
                    {(b.lateFeeWaivedFen ?? 0) > 0 && <small className="nowrap"> {t('lateFee.waivedShort', { amount: formatFen(b.lateFeeWaivedFen ?? 0) })}</small>}
                  </td>
                </tr>
                {explaining === b.billId && (
                  <tr>
                    <td colSpan={6}>
                      <LateFeeExplainer accountNo={account.accountNo} billId={b.billId} onWaived={() => onChanged?.()} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
      <p className="total">
        {t('account.totalDueLabel')} <strong data-testid="total-due">{formatFen(account.totalDueFen)}</strong>
      </p>
    </div>
  );
}
