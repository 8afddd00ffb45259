import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  LATE_FEE_WAIVER_REASONS,
  type LateFeeExplanation,
  type LateFeeWaiverReason,
  type WaiverResult,
  type WireError,
} from '../../../main/contract/index.js';
import { parseYuan } from '../../../main/domain/money.js';
import { fenToYuanText, formatFen } from '../format';
import { call, useErrorText } from '../rpc';
import type { Language } from '../i18n';
import { SupervisorFields } from './supervisor-fields';
import './payments.css';

/** Parts per million per day as the percentage a clerk reads ("0.1 %/day"). */
function ratePercent(ppm: number): string {
  return `${(ppm / 10_000).toFixed(ppm % 1000 === 0 ? 1 : 2)}%`;
}

/**
 * How a bill's late fee was computed, day range by day range: the rule's name, then per range the
 * dates, days, daily rate, principal outstanding on those days and the amount; the total, what was
 * paid and waived, and what is due. A supervisor may waive part or all of it from here.
 */
export function LateFeeExplainer({ accountNo, billId, onWaived }: { readonly accountNo: string; readonly billId: string; readonly onWaived: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [explanation, setExplanation] = useState<LateFeeExplanation | null>(null);
  const [error, setError] = useState<WireError | null>(null);
  const [waiving, setWaiving] = useState(false);
  const [waived, setWaived] = useState<WaiverResult | null>(null);

  const load = async () => {
    const r = await call('lateFee.explain', { accountNo, billId });
    if (r.ok) setExplanation(r.result);
    else setError(r.error);
  };

  useEffect(() => {
    void load();
  }, [accountNo, billId]);

  if (error) return <p className="error" role="alert">{errorText(error)}</p>;
  if (!explanation) return <p className="hint">{t('lateFee.loading')}</p>;
  const e = explanation;
  return (
    <div className="late-fee-explainer" data-testid="late-fee-explainer">
      <h4 data-testid="late-fee-rule">{e.ruleNameKey ? t(e.ruleNameKey) : t('lateFee.noRule')}</h4>
      <p className="hint">{t('lateFee.basis', { dueDate: e.dueDate, asOf: e.asOf, days: e.days })}</p>
      {e.segments.length > 0 && (
        <table className="bills segments" data-testid="late-fee-segments">
          <thead>
            <tr>
              <th>{t('lateFee.range')}</th>
              <th className="num">{t('lateFee.days')}</th>
              <th>{t('lateFee.kind')}</th>
              <th className="num">{t('lateFee.rate')}</th>
              <th className="num">{t('lateFee.base')}</th>
              <th className="num">{t('lateFee.amount')}</th>
            </tr>
          </thead>
          <tbody>
            {e.segments.map((s) => (
              <tr key={s.fromDate} data-testid="late-fee-segment">
                <td className="nowrap">
                  {s.fromDate} – {s.toDate}
                </td>
                <td className="num">{s.days}</td>
                <td>{t(s.kindKey)}</td>
                <td className="num">{t('lateFee.perDay', { rate: ratePercent(s.dailyRatePpm) })}</td>
                <td className="num">{formatFen(s.baseFen)}</td>
                <td className="num">{formatFen(s.fen)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <dl className="facts">
        <dt>{t('lateFee.accrued')}</dt>
        <dd data-testid="late-fee-accrued">{formatFen(e.accruedFen)}</dd>
        {e.minimumApplied && (
          <>
            <dt>{t('tariff.lateFee.minimumApplied')}</dt>
            <dd>{formatFen(e.minimumFeeFen)}</dd>
          </>
        )}
        <dt>{t('lateFee.paid')}</dt>
        <dd data-testid="late-fee-paid">{formatFen(e.paidFen)}</dd>
        <dt>{t('lateFee.waived')}</dt>
        <dd data-testid="late-fee-waived">{formatFen(e.waivedFen)}</dd>
        <dt>{t('lateFee.due')}</dt>
        <dd data-testid="late-fee-due">
          <strong>{formatFen(e.dueFen)}</strong>
        </dd>
      </dl>
      {e.waivers.length > 0 && (
        <ul className="waivers" data-testid="late-fee-waivers">
          {e.waivers.map((w) => (
            <li key={w.waiverId}>
              {t('lateFee.waiverLine', { amount: formatFen(w.fen), reason: t(`lateFee.waiverReason.${w.reasonCode}`), approver: w.approvedBy, date: w.asOf })}
            </li>
          ))}
        </ul>
      )}
      {waived && (
        <p className="ok" role="status" data-testid="waiver-done">
          {t('lateFee.waiverDone', { amount: formatFen(waived.waiver.fen), due: formatFen(waived.feeAfterFen) })}
          {' · '}
          {waived.receipt.printed ? t('payments.reversal.receiptPrinted') : t('pay.receiptFailed', { reason: waived.receipt.error ? errorText(waived.receipt.error) : '' })}
        </p>
      )}
      {waiving ? (
        <WaiverForm
          explanation={e}
          onCancel={() => setWaiving(false)}
          onDone={(r) => {
            setWaiving(false);
            setWaived(r);
            void load();
            onWaived();
          }}
        />
      ) : (
        e.dueFen > 0 && (
          <button type="button" className="secondary" onClick={() => setWaiving(true)} data-testid="waive-open">
            {t('lateFee.waive')}
          </button>
        )
      )}
    </div>
  );
}

function WaiverForm({ explanation, onDone, onCancel }: { readonly explanation: LateFeeExplanation; readonly onDone: (r: WaiverResult) => void; readonly onCancel: () => void }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const requestId = useMemo(() => crypto.randomUUID(), []);
  const [amount, setAmount] = useState(fenToYuanText(explanation.dueFen));
  const [reasonCode, setReasonCode] = useState<LateFeeWaiverReason>('billing_error');
  const [note, setNote] = useState('');
  const [supervisorId, setSupervisorId] = useState('');
  const [supervisorPin, setSupervisorPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<WireError | null>(null);
  const inFlight = useRef(false);
  const parsed = parseYuan(amount);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setError(null);
    const r = await call('lateFee.waive', {
      requestId,
      accountNo: explanation.accountNo,
      billId: explanation.billId,
      amount,
      reasonCode,
      ...(note.trim() ? { note: note.trim() } : {}),
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
    <form className="reversal" onSubmit={(e) => void submit(e)} data-testid="waiver-form">
      <h4>{t('lateFee.waiveTitle', { period: explanation.period, due: formatFen(explanation.dueFen) })}</h4>
      <div className="row">
        <label>
          {t('lateFee.waiveAmount')}
          <input data-testid="waiver-amount" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} readOnly={busy} autoComplete="off" />
        </label>
        <label>
          {t('lateFee.waiveReason')}
          <select data-testid="waiver-reason" value={reasonCode} onChange={(e) => setReasonCode(e.target.value as LateFeeWaiverReason)} disabled={busy}>
            {LATE_FEE_WAIVER_REASONS.map((c) => (
              <option key={c} value={c}>
                {t(`lateFee.waiverReason.${c}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {parsed.ok && parsed.fen < explanation.dueFen && <p className="hint">{t('lateFee.partWaiver', { left: formatFen(explanation.dueFen - parsed.fen) })}</p>}
      <label>
        {t('payments.reversal.note')}
        <input data-testid="waiver-note" value={note} maxLength={200} onChange={(e) => setNote(e.target.value)} readOnly={busy} autoComplete="off" />
      </label>
      <SupervisorFields id={supervisorId} pin={supervisorPin} onId={setSupervisorId} onPin={setSupervisorPin} disabled={busy} />
      {error && <p className="error" role="alert" data-testid="waiver-error">{errorText(error)}</p>}
      <div className="row">
        <button type="button" className="secondary" onClick={onCancel} disabled={busy} data-testid="waiver-cancel">
          {t('payments.reversal.cancel')}
        </button>
        <button type="submit" disabled={busy || supervisorId.trim() === '' || supervisorPin === ''} data-testid="waiver-submit">
          {busy ? t('payments.reversal.busy') : t('lateFee.waiveSubmit')}
        </button>
      </div>
    </form>
  );
}
