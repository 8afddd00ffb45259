import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { CREDIT_GRADE_LETTERS, type CreditGradeView, type CreditView, type WireError } from '../../../main/contract/index.js';
import { call, useErrorText, type CallResult } from '../rpc';
import './credit.css';

/** "−18": points lost read as a signed number (a real minus sign). */
function signed(points: number): string {
  return points < 0 ? `−${Math.abs(points)}` : String(points);
}

/**
 * The account's credit grade at the counter: the grade and what it means, the score, the top
 * reasons in plain words, what the grade means for this visit, and — for a manager — the override
 * with its reason. Re-read whenever the account view changes (`version`), so a payment just taken
 * shows in the grade at once. `initial` is the answer read together with the account, so the card
 * is there when the account is shown instead of pushing the pay panel down under the clerk's pointer.
 */
export function CreditCard({ accountNo, version, initial }: { readonly accountNo: string; readonly version: string; readonly initial?: CallResult<'credit.get'> }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [credit, setCredit] = useState<CreditView | null>(initial?.ok ? initial.result : null);
  const [error, setError] = useState<WireError | null>(initial && !initial.ok ? initial.error : null);
  const preloaded = useRef(initial !== undefined);
  const [role, setRole] = useState<string | null>(null);
  const [editing, setEditing] = useState<'override' | 'lift' | null>(null);
  const [grade, setGrade] = useState<CreditGradeView>('A');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (preloaded.current) {
      preloaded.current = false;
      return undefined;
    }
    let live = true;
    void call('credit.get', { accountNo }).then((r) => {
      if (!live) return;
      if (r.ok) {
        setCredit(r.result);
        setError(null);
      } else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [accountNo, version]);
  useEffect(() => {
    void call('session.current', {}).then((r) => r.ok && setRole(r.result?.role ?? null));
  }, []);

  if (error && !credit) return <p className="error" role="alert" data-testid="credit-error">{errorText(error)}</p>;
  if (!credit) return null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const r = editing === 'lift' ? await call('credit.liftOverride', { accountNo, reason }) : await call('credit.override', { accountNo, grade, reason });
    setBusy(false);
    if (r.ok) {
      setCredit(r.result);
      setEditing(null);
      setReason('');
      setError(null);
    } else setError(r.error);
  };

  return (
    <section className={`credit-card credit-${credit.grade}`} data-testid="credit" aria-label={t('credit.grade')}>
      <div className="credit-head">
        <span className={`credit-grade credit-grade-${credit.grade}`} data-testid="credit-grade">
          {credit.grade}
        </span>
        <div>
          <strong>{t(`credit.gradeMeaning.${credit.grade}`)}</strong>
          <div className="hint">
            <span data-testid="credit-score">{t('credit.score', { score: credit.score })}</span>
            {credit.override && (
              <>
                {' · '}
                <span data-testid="credit-overridden">{t('credit.overridden')}</span> · {t('credit.modelGrade', { grade: credit.modelGrade })}
              </>
            )}
          </div>
        </div>
      </div>
      {credit.override && (
        <p className="credit-override" data-testid="credit-override">
          {t('credit.override.by', { operator: credit.override.operatorName || credit.override.operatorId, date: credit.override.createdAt.slice(0, 10), reason: credit.override.reason })}
        </p>
      )}
      <div className="credit-columns">
        <div>
          <h4>{t('credit.reasonsTitle')}</h4>
          <ul className="credit-reasons" data-testid="credit-reasons">
            {credit.reasons.map((r) => (
              <li key={r.indicator} className={r.points < 0 ? 'minus' : 'plus'} data-testid="credit-reason">
                {t(r.i18nKey, { ...r.params, points: signed(r.points) })}
              </li>
            ))}
          </ul>
        </div>
        <div>
          <h4>{t('credit.adviceTitle')}</h4>
          <ul className="credit-advice" data-testid="credit-advice">
            {credit.advice.adviceKeys.map((k) => (
              <li key={k} className={k === 'credit.advice.prepaid_meter' ? 'flag' : ''} data-testid="credit-advice-item">
                {t(k)}
              </li>
            ))}
          </ul>
        </div>
      </div>
      {role === 'manager' && editing === null && (
        <div className="credit-actions">
          <button type="button" onClick={() => { setGrade(credit.modelGrade === 'A' ? 'B' : 'A'); setEditing('override'); }} data-testid="credit-override-open">
            {t('credit.override.action')}
          </button>
          {credit.override && (
            <button type="button" className="secondary" onClick={() => setEditing('lift')} data-testid="credit-lift-open">
              {t('credit.override.lift')}
            </button>
          )}
        </div>
      )}
      {editing !== null && (
        <form className="credit-form" onSubmit={(e) => void submit(e)} data-testid="credit-form">
          <h4>{editing === 'lift' ? t('credit.override.lift') : t('credit.override.title')}</h4>
          {editing === 'override' && (
            <label>
              {t('credit.override.grade')}{' '}
              <select value={grade} onChange={(e) => setGrade(e.target.value as CreditGradeView)} data-testid="credit-override-grade">
                {CREDIT_GRADE_LETTERS.map((g) => (
                  <option key={g} value={g}>
                    {g}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label>
            {t('credit.override.reason')}
            <input value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} data-testid="credit-override-reason" />
          </label>
          {error && <p className="error" role="alert" data-testid="credit-form-error">{errorText(error)}</p>}
          <div className="credit-actions">
            <button type="submit" disabled={busy} data-testid="credit-override-save">
              {editing === 'lift' ? t('credit.override.lift') : t('credit.override.save')}
            </button>
            <button type="button" className="secondary" onClick={() => { setEditing(null); setError(null); }}>
              {t('credit.override.cancel')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
