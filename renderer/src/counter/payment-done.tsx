import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PaymentView } from '../../../main/contract/index.js';
import { formatFen } from '../format';
import { ReceiptPreview } from '../receipt-preview';
import { call, useErrorText } from '../rpc';
import type { Language } from '../i18n';

export function PaymentDone({ payment, onNext }: { payment: PaymentView; onNext: () => void }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const [receipt, setReceipt] = useState(payment.receipt);
  const [preview, setPreview] = useState<readonly string[] | null>(null);

  const togglePreview = async () => {
    if (preview) return setPreview(null);
    const r = await call('receipt.preview', { paymentId: payment.paymentId, receiptLocale: i18n.language as Language });
    if (r.ok) setPreview(r.result.lines);
  };

  const reprint = async () => {
    const r = await call('receipt.reprint', { paymentId: payment.paymentId, receiptLocale: i18n.language as Language });
    if (r.ok) setReceipt(r.result);
    else setReceipt({ printed: false, error: r.error });
  };

  return (
    <div className="card done" data-testid="payment-done">
      <h2>{t('pay.done')}</h2>
      <dl className="facts">
        <dt>{t('pay.paymentNo')}</dt>
        <dd data-testid="payment-id">{payment.paymentId}</dd>
        <dt>{t('pay.amount')}</dt>
        <dd data-testid="paid-amount">{formatFen(payment.amountFen)}</dd>
        {payment.tenderedFen !== null && (
          <>
            <dt>{t('pay.tendered')}</dt>
            <dd>{formatFen(payment.tenderedFen)}</dd>
          </>
        )}
        <dt>{t('pay.change')}</dt>
        <dd className="change" data-testid="change">{formatFen(payment.changeFen)}</dd>
        {payment.toBalanceFen > 0 && (
          <>
            <dt>{t('pay.toBalance')}</dt>
            <dd>{formatFen(payment.toBalanceFen)}</dd>
          </>
        )}
      </dl>
      {receipt.printed ? (
        <p className="ok" data-testid="receipt-status">{t('pay.receiptPrinted')}</p>
      ) : (
        <p className="warning" data-testid="receipt-status">
          {t('pay.receiptFailed', { reason: receipt.error ? errorText(receipt.error) : '' })}
        </p>
      )}
      <div className="row">
        <button type="button" className="secondary" onClick={() => void reprint()} data-testid="reprint">
          {t('pay.reprint')}
        </button>
        <button type="button" className="secondary" onClick={() => void togglePreview()} data-testid="preview-toggle">
          {preview ? t('pay.hideReceipt') : t('pay.showReceipt')}
        </button>
        <button type="button" onClick={onNext} data-testid="next-customer" autoFocus>
          {t('pay.next')}
        </button>
      </div>
      {preview && (
        <ReceiptPreview lines={preview} testId="receipt-preview" />
      )}
    </div>
  );
}
