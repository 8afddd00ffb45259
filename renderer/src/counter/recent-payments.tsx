import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PaymentView, ReversalResult } from '../../../main/contract/index.js';
import { formatFen } from '../format';
import { formatDateTime } from '../format-time';
import { useTerminalTimeZone } from '../use-terminal-time-zone';
import { call } from '../rpc';
import { ReversalForm } from './reversal-form';
import './payments.css';

/**
 * This terminal's payments of the account, newest first, each with its status: a payment of the
 * open shift may be voided, an older one refunded (both with a supervisor's approval). Payments
 * that are part of a prepaid vend are listed but never reversed here.
 */
export function RecentPayments({ accountNo, onChanged }: { readonly accountNo: string; readonly onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const timeZone = useTerminalTimeZone();
  const [items, setItems] = useState<readonly PaymentView[] | null>(null);
  const [open, setOpen] = useState<{ payment: PaymentView; kind: 'void' | 'refund' } | null>(null);
  const [done, setDone] = useState<ReversalResult | null>(null);

  const load = async () => {
    const r = await call('payment.listForAccount', { accountNo });
    if (r.ok) setItems(r.result.items);
  };
  useEffect(() => {
    void load();
  }, [accountNo]);

  if (!items || items.length === 0) return null;
  return (
    <div className="card recent-payments" data-testid="recent-payments">
      <h3>{t('payments.recent.title')}</h3>
      {done && (
        <p className="ok" role="status" data-testid="recent-reversal-done">
          {t(`payments.reversal.done.${done.reversal.kind}`, { amount: formatFen(done.reversal.amountFen) })}
        </p>
      )}
      <table className="bills">
        <tbody>
          {items.map((p) => (
            <tr key={p.paymentId} data-testid="recent-payment">
              <td className="nowrap">{timeZone ? formatDateTime(p.createdAt, timeZone, i18n.language) : p.createdAt}</td>
              <td>{t(`payment.method.${p.method}`)}</td>
              <td className="num">{formatFen(p.amountFen)}</td>
              <td data-testid="recent-status">{t(`payments.status.${p.status ?? 'completed'}`)}</td>
              <td>
                {(p.status ?? 'completed') === 'completed' && !p.vendId && (
                  <button
                    type="button"
                    className="secondary small"
                    onClick={() => setOpen({ payment: p, kind: p.voidable ? 'void' : 'refund' })}
                    data-testid={p.voidable ? 'recent-void' : 'recent-refund'}
                  >
                    {p.voidable ? t('payments.reversal.open.void') : t('payments.reversal.open.refund')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {open && (
        <ReversalForm
          payment={open.payment}
          kind={open.kind}
          onCancel={() => setOpen(null)}
          onDone={(r) => {
            setOpen(null);
            setDone(r);
            void load();
            onChanged();
          }}
        />
      )}
    </div>
  );
}
