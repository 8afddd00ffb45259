import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WireError } from '../../../main/contract/index.js';
import { call, useErrorText } from '../rpc';

/**
 * Staff check a provisional receipt a customer shows (docs/exceptions.md): its payment number,
 * amount and verify code, answered by the billing backend — genuine or not, and whether the
 * payment has reached it. `terminal` only for a receipt printed at another terminal.
 */
export function ReceiptCheck() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [paymentId, setPaymentId] = useState('');
  const [amount, setAmount] = useState('');
  const [code, setCode] = useState('');
  const [terminalId, setTerminalId] = useState('');
  const [answer, setAnswer] = useState<{ valid: boolean; synced: boolean } | null>(null);
  const [error, setError] = useState<WireError | null>(null);

  const check = async () => {
    setAnswer(null);
    setError(null);
    const r = await call('receipt.verify', { paymentId: paymentId.trim(), amount, code, ...(terminalId.trim() ? { terminalId: terminalId.trim() } : {}) });
    if (r.ok) setAnswer(r.result);
    else setError(r.error);
  };

  return (
    <section className="card">
      <h3>{t('exceptions.check.title')}</h3>
      <form className="row resolve" onSubmit={(e) => { e.preventDefault(); void check(); }}>
        <label className="grow">
          {t('exceptions.check.paymentId')}
          <input value={paymentId} onChange={(e) => setPaymentId(e.target.value)} data-testid="check-payment-id" />
        </label>
        <label>
          {t('exceptions.check.amount')}
          <input value={amount} inputMode="decimal" onChange={(e) => setAmount(e.target.value)} data-testid="check-amount" />
        </label>
        <label>
          {t('exceptions.check.code')}
          <input value={code} onChange={(e) => setCode(e.target.value)} data-testid="check-code" />
        </label>
        <label>
          {t('exceptions.check.terminal')}
          <input value={terminalId} onChange={(e) => setTerminalId(e.target.value)} placeholder={t('exceptions.check.thisTerminal')} data-testid="check-terminal" />
        </label>
        <button type="submit" disabled={!paymentId || !amount || !code} data-testid="check-submit">{t('exceptions.check.submit')}</button>
      </form>
      {answer && (
        <p className={answer.valid ? 'ok' : 'error'} role="status" data-testid="check-answer">
          {t(answer.valid ? (answer.synced ? 'exceptions.check.validSynced' : 'exceptions.check.validPending') : 'exceptions.check.invalid')}
        </p>
      )}
      {error && <p className="error" role="alert" data-testid="check-error">{errorText(error)}</p>}
    </section>
  );
}
