import { useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { REVERSAL_REASON_CODES, type PaymentView, type ReversalReasonCode, type ReversalResult, type WireError } from '../../../main/contract/index.js';
import { formatFen } from '../format';
import { call, useErrorText } from '../rpc';
import type { Language } from '../i18n';
import { SupervisorFields } from './supervisor-fields';

/**
 * Void (same shift) or refund (later) of a whole payment: a reason, a supervisor's id and PIN, and
 * for a bank card the reference number of the void/refund slip from the bank POS. The request id
 * is made once, so a retry after a lost answer never reverses twice.
 */
export function ReversalForm({
  payment,
  kind,
  onDone,
  onCancel,
}: {
  readonly payment: PaymentView;
  readonly kind: 'void' | 'refund';
  readonly onDone: (r: ReversalResult) => void;
  readonly onCancel: () => void;
}) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const requestId = useMemo(() => crypto.randomUUID(), []);
  const [reasonCode, setReasonCode] = useState<ReversalReasonCode>('wrong_amount');
  const [note, setNote] = useState('');
  const [cardReference, setCardReference] = useState('');
  const [supervisorId, setSupervisorId] = useState('');
  const [supervisorPin, setSupervisorPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<WireError | null>(null);
  const inFlight = useRef(false);
  const hasCard = (payment.tenders ?? []).some((x) => x.method === 'card');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setError(null);
    const r = await call(kind === 'void' ? 'payment.void' : 'payment.refund', {
      requestId,
      paymentId: payment.paymentId,
      reasonCode,
      ...(note.trim() ? { note: note.trim() } : {}),
      ...(hasCard && cardReference.trim() ? { cardReference: cardReference.trim() } : {}),
      receiptLocale: i18n.language as Language,
      supervisorId: supervisorId.trim(),
      supervisorPin,
    });
    inFlight.current = false;
    setBusy(false);
    setSupervisorPin('');
    if (r.ok) onDone(r.result);
    else setError(r.error);
  };

  return (
    <form className="reversal" onSubmit={(e) => void submit(e)} data-testid={`${kind}-form`}>
      <h3>{t(`payments.reversal.title.${kind}`, { amount: formatFen(payment.amountFen) })}</h3>
      <p className="hint">{t(`payments.reversal.hint.${kind}`)}</p>
      <div className="row">
        <label>
          {t('payments.reversal.reason')}
          <select data-testid="reversal-reason" value={reasonCode} onChange={(e) => setReasonCode(e.target.value as ReversalReasonCode)} disabled={busy}>
            {REVERSAL_REASON_CODES.map((c) => (
              <option key={c} value={c}>
                {t(`payment.reversalReason.${c}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('payments.reversal.note')}
          <input data-testid="reversal-note" value={note} maxLength={200} onChange={(e) => setNote(e.target.value)} readOnly={busy} autoComplete="off" />
        </label>
      </div>
      {hasCard && (
        <label>
          {t('payments.reversal.cardReference')}
          <input data-testid="reversal-card-reference" value={cardReference} onChange={(e) => setCardReference(e.target.value)} readOnly={busy} autoComplete="off" />
        </label>
      )}
      <SupervisorFields id={supervisorId} pin={supervisorPin} onId={setSupervisorId} onPin={setSupervisorPin} disabled={busy} />
      {error && <p className="error" role="alert" data-testid="reversal-error">{errorText(error)}</p>}
      <div className="row">
        <button type="button" className="secondary" onClick={onCancel} disabled={busy} data-testid="reversal-cancel">
          {t('payments.reversal.cancel')}
        </button>
        <button type="submit" className="danger" disabled={busy || supervisorId.trim() === '' || supervisorPin === ''} data-testid="reversal-submit">
          {busy ? t('payments.reversal.busy') : t(`payments.reversal.submit.${kind}`)}
        </button>
      </div>
    </form>
  );
}
