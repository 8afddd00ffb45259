import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TokenManageView, WireError } from '../../../main/contract/index.js';
import { call, useErrorText } from '../rpc';

type Kind = TokenManageView['kind'];

/** Technician/supervisor: management tokens for one meter (key change, clear credit, clear tamper, max power). */
export function ManageTokensPanel() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [meterNo, setMeterNo] = useState('');
  const [kind, setKind] = useState<Kind>('clear_tamper');
  const [watts, setWatts] = useState('');
  const [baseDate, setBaseDate] = useState<'2014-01-01' | '1993-01-01'>('2014-01-01');
  const [krn, setKrn] = useState('');
  const [result, setResult] = useState<TokenManageView | null>(null);
  const [error, setError] = useState<WireError | null>(null);

  const issue = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const r = await call('token.manage', {
      requestId: crypto.randomUUID(),
      meterNo: meterNo.trim(),
      kind,
      ...(kind === 'max_power' ? { watts: Number(watts) } : {}),
      ...(kind === 'key_change' ? { next: { baseDate, ...(krn.trim() ? { krn: Number(krn) } : {}) } } : {}),
    });
    if (!r.ok) {
      setResult(null);
      return setError(r.error);
    }
    setResult(r.result);
  };

  return (
    <form className="card vend-form" onSubmit={(e) => void issue(e)} data-testid="manage-panel">
      <h2>{t('vending.manage.title')}</h2>
      <label>
        {t('vending.manage.meter')}
        <input data-testid="manage-meter" value={meterNo} onChange={(e) => setMeterNo(e.target.value)} autoComplete="off" inputMode="numeric" />
      </label>
      <label>
        {t('vending.manage.kind')}
        <select data-testid="manage-kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
          {(['clear_tamper', 'clear_credit', 'max_power', 'key_change'] as const).map((k) => (
            <option key={k} value={k}>
              {t(`vending.manage.kinds.${k}`)}
            </option>
          ))}
        </select>
      </label>
      {kind === 'max_power' && (
        <label>
          {t('vending.manage.watts')}
          <input data-testid="manage-watts" value={watts} onChange={(e) => setWatts(e.target.value)} inputMode="numeric" />
        </label>
      )}
      {kind === 'key_change' && (
        <>
          <label>
            {t('vending.manage.baseDate')}
            <select data-testid="manage-base-date" value={baseDate} onChange={(e) => setBaseDate(e.target.value as '2014-01-01' | '1993-01-01')}>
              <option value="2014-01-01">2014-01-01</option>
              <option value="1993-01-01">1993-01-01</option>
            </select>
          </label>
          <label>
            {t('vending.manage.krn')}
            <input data-testid="manage-krn" value={krn} onChange={(e) => setKrn(e.target.value)} inputMode="numeric" />
          </label>
        </>
      )}
      <button type="submit" disabled={!meterNo.trim()} data-testid="manage-issue">
        {t('vending.manage.issue')}
      </button>
      {error && (
        <p className="error" data-testid="manage-error">
          {errorText(error)}
        </p>
      )}
      {result && (
        <div data-testid="manage-result">
          {result.tokens.map((tok) => (
            <div key={tok.order} className="token-box">
              <div>{t(`vending.manage.tokenKinds.${tok.kind}`, { n: tok.order })}</div>
              <div className="token-digits">{tok.groups}</div>
            </div>
          ))}
          <p>{result.kind === 'key_change' ? t('vending.manage.keyChangeHint', { baseDate: result.next?.baseDate ?? '', krn: result.next?.krn ?? '' }) : t('vending.manage.tid', { tid: result.tid ?? '' })}</p>
        </div>
      )}
    </form>
  );
}
