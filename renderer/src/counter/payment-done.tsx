import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountView, PaymentView } from '../../../main/contract/index.js';
import { formatFen } from '../format';
import { ReceiptPreview } from '../receipt-preview';
import { call, useErrorText } from '../rpc';
import type { Language } from '../i18n';

export function PaymentDone({ payment, account, onNext }: { payment: PaymentView; account: AccountView | null; onNext: () => void }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const [receipt, setReceipt] = useState(payment.receipt);
  const [reprinted, setReprinted] = useState(false);
  const [printing, setPrinting] = useState(false);
  const [showPreview, setShowPreview] = useState(false);
  const [preview, setPreview] = useState<readonly string[] | null>(null);
  const language = i18n.language as Language;

  // The preview follows the UI language, like the receipt a reprint would give.
  useEffect(() => {
    if (!showPreview) return setPreview(null);
    let alive = true;
    void call('receipt.preview', { paymentId: payment.paymentId, receiptLocale: language }).then((r) => {
      if (alive && r.ok) setPreview(r.result.lines);
    });
    return () => {
      alive = false;
    };
  }, [showPreview, language, payment.paymentId]);

  const reprint = async () => {
    if (printing) return;
    setPrinting(true);
    const r = await call('receipt.reprint', { paymentId: payment.paymentId, receiptLocale: language });
    setPrinting(false);
    setReprinted(true);
    if (r.ok) setReceipt(r.result);
    else setReceipt({ printed: false, error: r.error });
  };

  return (
    <div className="card done" data-testid="payment-done">
      <h2>{t('pay.done')}</h2>
      <dl className="facts">
        <dt>{t('pay.account')}</dt>
        <dd data-testid="paid-account">
          {payment.accountNo}
          {account?.accountNo === payment.accountNo && ` ${account.name}`}
        </dd>
        <dt>{t('pay.paymentNo')}</dt>
        <dd data-testid="payment-id">{payment.paymentId}</dd>
        <dt>{t('pay.paidAmount')}</dt>
        <dd data-testid="paid-amount">{formatFen(payment.amountFen)}</dd>
        {payment.tenderedFen !== null && (
          <>
            <dt>{t('pay.cashTendered')}</dt>
            <dd data-testid="paid-tendered">{formatFen(payment.tenderedFen)}</dd>
          </>
        )}
        <dt>{t('pay.change')}</dt>
        <dd className="change" data-testid="change">{formatFen(payment.changeFen)}</dd>
        {payment.toBalanceFen > 0 && (
          <>
            <dt>{t('pay.toBalance')}</dt>
            <dd data-testid="to-balance">{formatFen(payment.toBalanceFen)}</dd>
          </>
        )}
      </dl>
      {printing ? (
        <p data-testid="receipt-status">{t('pay.printing')}</p>
      ) : receipt.printed ? (
        <p className="ok" data-testid="receipt-status">{reprinted ? t('pay.receiptReprinted') : t('pay.receiptPrinted')}</p>
      ) : (
        <p className="warning" data-testid="receipt-status">
          {t('pay.receiptFailed', { reason: receipt.error ? errorText(receipt.error) : '' })}
        </p>
      )}
      <div className="row">
        <button type="button" className="secondary" onClick={() => void reprint()} disabled={printing} data-testid="reprint">
          {t('pay.reprint')}
        </button>
        <button type="button" className="secondary" onClick={() => setShowPreview((v) => !v)} data-testid="preview-toggle">
          {showPreview ? t('pay.hideReceipt') : t('pay.showReceipt')}
        </button>
        <button type="button" onClick={onNext} data-testid="next-customer" autoFocus>
          {t('pay.next')}
        </button>
      </div>
      {preview && <ReceiptPreview lines={preview} testId="receipt-preview" />}
    </div>
  );
}
