import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TokenExplainView, WireError } from '../../../main/contract/index.js';
import { call, useErrorText } from '../rpc';
import { formatCkwh } from './format-energy';
import { ManageTokensPanel } from './manage-panel';
import './vending.css';
import { formatDateTime } from '../format-time';
import { useTerminalTimeZone } from '../use-terminal-time-zone';

/** "My token was rejected": decode a token against the customer's meters and explain it. */
export function HelpDeskScreen() {
  const { t, i18n } = useTranslation();
  const timeZone = useTerminalTimeZone();
  // Times as the hall reads them: the terminal's zone; UTC until that zone is known.
  const shortTime = (iso: string | null) => (iso ? formatDateTime(iso, timeZone ?? 'UTC', i18n.language) : '—');
  const errorText = useErrorText();
  const [token, setToken] = useState('');
  const [accountNo, setAccountNo] = useState('');
  const [meterNo, setMeterNo] = useState('');
  const [result, setResult] = useState<TokenExplainView | null>(null);
  const [error, setError] = useState<WireError | null>(null);

  const explain = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const r = await call('token.explain', {
      token,
      ...(accountNo.trim() ? { accountNo: accountNo.trim() } : {}),
      ...(meterNo.trim() ? { meterNo: meterNo.trim() } : {}),
    });
    if (!r.ok) {
      setResult(null);
      return setError(r.error);
    }
    setResult(r.result);
  };

  return (
    <div className="vend-desk" data-testid="helpdesk">
      <form className="card vend-form" onSubmit={(e) => void explain(e)}>
        <h2>{t('vending.helpdesk.title')}</h2>
        <label>
          {t('vending.helpdesk.token')}
          <input data-testid="helpdesk-token" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" inputMode="numeric" autoFocus />
        </label>
        <label>
          {t('vending.helpdesk.account')}
          <input data-testid="helpdesk-account" value={accountNo} onChange={(e) => setAccountNo(e.target.value)} autoComplete="off" />
        </label>
        <label>
          {t('vending.helpdesk.meter')}
          <input data-testid="helpdesk-meter" value={meterNo} onChange={(e) => setMeterNo(e.target.value)} autoComplete="off" />
        </label>
        <button type="submit" disabled={!token.trim() || (!accountNo.trim() && !meterNo.trim())} data-testid="helpdesk-explain">
          {t('vending.helpdesk.explain')}
        </button>
      </form>
      <ManageTokensPanel />
      <div>
        {error && (
          <p className="card error" data-testid="helpdesk-error">
            {errorText(error)}
          </p>
        )}
        {result && (
          <div className="card explain" data-testid="helpdesk-result">
            <div className="token-digits">{result.groups}</div>
            <dl>
              <dt>{t('vending.helpdesk.meterNo')}</dt>
              <dd data-testid="explain-meter">{result.meterNo ?? '—'}</dd>
              <dt>{t('vending.helpdesk.class')}</dt>
              <dd>
                {result.tokenClass} / {result.subclass} · {t(`vending.helpdesk.kinds.${result.kind}`)}
              </dd>
              <dt>{t('vending.helpdesk.tid')}</dt>
              <dd data-testid="explain-tid">{result.tid ?? '—'}</dd>
              <dt>{t('vending.helpdesk.tidDate')}</dt>
              <dd>{shortTime(result.tidDate ?? null)}</dd>
              <dt>{t('vending.helpdesk.baseDate')}</dt>
              <dd>{result.baseDate ?? '—'}</dd>
              <dt>{t('vending.helpdesk.amount')}</dt>
              <dd data-testid="explain-amount">{result.amountTenths === null ? '—' : `${formatCkwh(result.amountTenths * 10)} kWh`}</dd>
              <dt>{t('vending.helpdesk.used')}</dt>
              <dd data-testid="explain-used" className={result.alreadyDelivered || result.tidAlreadyUsed ? 'warning' : 'ok'}>
                {result.alreadyDelivered && result.tokenVend
                  ? t('vending.helpdesk.usedDelivered', { at: shortTime(result.tokenVend.deliveredAt), terminal: result.tokenVend.terminalId })
                  : result.tidAlreadyUsed
                    ? t('vending.helpdesk.usedYes')
                    : t('vending.helpdesk.usedNo')}
              </dd>
              <dt>{t('vending.helpdesk.newer')}</dt>
              <dd data-testid="explain-newer" className={result.newerTidExists ? 'warning' : 'ok'}>
                {result.newerTidExists ? t('vending.helpdesk.newerYes', { tid: result.newestTid }) : t('vending.helpdesk.newerNo')}
              </dd>
              {result.tokenVend && (
                <>
                  <dt>{t('vending.helpdesk.vend')}</dt>
                  <dd data-testid="explain-vend-state">
                    {result.tokenVend.vendId} · {t(`vending.helpdesk.states.${result.tokenVend.state}`)}
                  </dd>
                  <dt>{t('vending.helpdesk.issuedAt')}</dt>
                  <dd>
                    {shortTime(result.tokenVend.issuedAt)} · {result.tokenVend.terminalId} · {result.tokenVend.operatorId}
                  </dd>
                  {result.tokenVend.deliveredAt && (
                    <>
                      <dt>{t('vending.helpdesk.deliveredAt')}</dt>
                      <dd>
                        {shortTime(result.tokenVend.deliveredAt)} · {result.tokenVend.delivery ? t(`vending.helpdesk.delivery.${result.tokenVend.delivery}`) : ''}
                      </dd>
                    </>
                  )}
                  {result.tokenVend.reversedAt && (
                    <>
                      <dt>{t('vending.helpdesk.reversedAt')}</dt>
                      <dd>{shortTime(result.tokenVend.reversedAt)}</dd>
                    </>
                  )}
                </>
              )}
            </dl>
          </div>
        )}
      </div>
    </div>
  );
}
