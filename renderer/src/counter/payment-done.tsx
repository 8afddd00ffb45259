import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountView, PaymentView, ReversalResult } from '../../../main/contract/index.js';
import { formatFen } from '../format';
import { ReceiptPreview } from '../receipt-preview';
import { call, useErrorText } from '../rpc';
import type { Language } from '../i18n';
import { InvoiceQr } from './invoice-qr';
import { ReversalForm } from './reversal-form';
import './payments.css';

export function PaymentDone({ payment: first, account, onNext }: { payment: PaymentView; account: AccountView | null; onNext: () => void }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const [payment, setPayment] = useState(first);
  const [receipt, setReceipt] = useState(first.receipt);
  const [reprinted, setReprinted] = useState(false);
  const [printing, setPrinting] = useState(false);
  const [showPreview, setShowPreview] = useState(false);
  const [preview, setPreview] = useState<readonly string[] | null>(null);
  const [reversing, setReversing] = useState<'void' | 'refund' | null>(null);
  const [reversed, setReversed] = useState<ReversalResult | null>(null);
  const language = i18n.language as Language;
  const invoice = payment.invoice ?? null;

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
  }, [showPreview, language, payment.paymentId, payment.status, invoice?.state]);

  const refresh = async () => {
    const r = await call('payment.get', { paymentId: payment.paymentId });
    if (r.ok) setPayment(r.result);
  };

  const reprint = async () => {
    if (printing) return;
    setPrinting(true);
    const r = await call('receipt.reprint', { paymentId: payment.paymentId, receiptLocale: language });
    setPrinting(false);
    setReprinted(true);
    if (r.ok) setReceipt(r.result);
    else setReceipt({ printed: false, error: r.error });
    // A reprint carries the e-invoice's QR code if it was issued since.
    void refresh();
  };

  const status = payment.status ?? 'completed';
  const tenders = payment.tenders ?? [];

  return (
    <div className="card done" data-testid="payment-done">
      <h2>{status === 'completed' ? t('pay.done') : t(`payments.status.${status}`)}</h2>
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
        <dt>{t('payments.method')}</dt>
        <dd data-testid="paid-method">
          {t(`payment.method.${payment.method}`)}
          {tenders.length > 1 && ` (${tenders.map((x) => `${t(`payment.method.${x.method}`)} ${formatFen(x.amountFen)}`).join(' + ')})`}
        </dd>
        {tenders
          .filter((x) => x.externalRef !== null)
          .map((x) => (
            <div className="fact-pair" key={x.method}>
              <dt>{x.method === 'card' ? t('payments.cardReference') : t('payments.tradeNo')}</dt>
              <dd data-testid={`external-ref-${x.method}`}>{x.externalRef}</dd>
            </div>
          ))}
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
      {invoice && (
        <div className="invoice" data-testid="invoice">
          {invoice.state === 'issued' && invoice.url ? (
            <>
              <InvoiceQr url={invoice.url} label={t('payments.invoice.qrLabel')} />
              <div>
                <p>{t('payments.invoice.issued')}</p>
                <p data-testid="invoice-no">{invoice.invoiceNo}</p>
              </div>
            </>
          ) : (
            <p data-testid="invoice-state">{t(`payments.invoice.${invoice.state}`)}</p>
          )}
        </div>
      )}
      {printing ? (
        <p data-testid="receipt-status">{t('pay.printing')}</p>
      ) : receipt.printed ? (
        <p className="ok" data-testid="receipt-status">{reprinted ? t('pay.receiptReprinted') : t('pay.receiptPrinted')}</p>
      ) : (
        <p className="warning" data-testid="receipt-status">
          {t('pay.receiptFailed', { reason: receipt.error ? errorText(receipt.error) : '' })}
        </p>
      )}
      {reversed && (
        <p className="ok" role="status" data-testid="reversal-done">
          {t(`payments.reversal.done.${reversed.reversal.kind}`, { amount: formatFen(reversed.reversal.amountFen) })}
          {' · '}
          {reversed.receipt.printed ? t('payments.reversal.receiptPrinted') : t('pay.receiptFailed', { reason: reversed.receipt.error ? errorText(reversed.receipt.error) : '' })}
        </p>
      )}
      {reversing ? (
        <ReversalForm
          payment={payment}
          kind={reversing}
          onCancel={() => setReversing(null)}
          onDone={(r) => {
            setReversing(null);
            setReversed(r);
            setPayment(r.payment);
          }}
        />
      ) : (
        <div className="row">
          <button type="button" className="secondary" onClick={() => void reprint()} disabled={printing} data-testid="reprint">
            {t('pay.reprint')}
          </button>
          <button type="button" className="secondary" onClick={() => setShowPreview((v) => !v)} data-testid="preview-toggle">
            {showPreview ? t('pay.hideReceipt') : t('pay.showReceipt')}
          </button>
          {status === 'completed' && !payment.vendId && (
            <button
              type="button"
              className="secondary danger-text"
              onClick={() => setReversing(payment.voidable ? 'void' : 'refund')}
              data-testid={payment.voidable ? 'void' : 'refund'}
            >
              {payment.voidable ? t('payments.reversal.open.void') : t('payments.reversal.open.refund')}
            </button>
          )}
          <button type="button" onClick={onNext} data-testid="next-customer" autoFocus>
            {t('pay.next')}
          </button>
        </div>
      )}
      {preview && <ReceiptPreview lines={preview} testId="receipt-preview" />}
    </div>
  );
}
