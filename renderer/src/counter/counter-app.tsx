import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OperatorView, SyncStatusView, SystemInfoView } from '../../../main/contract/index.js';
import { bridge } from '../bridge';
import { LANGUAGES, setLanguage, type Language } from '../i18n';
import { call } from '../rpc';
import { SignIn } from './sign-in';
import { CounterDesk } from './counter-desk';

export function CounterApp() {
  const { t, i18n } = useTranslation();
  const [info, setInfo] = useState<SystemInfoView | null>(null);
  const [operator, setOperator] = useState<OperatorView | null>(null);
  const [sync, setSync] = useState<SyncStatusView | null>(null);

  useEffect(() => {
    void call('system.info', {}).then((r) => {
      if (!r.ok) return;
      setInfo(r.result);
      setLanguage(r.result.defaultLocale);
    });
    void call('session.current', {}).then((r) => r.ok && setOperator(r.result));
    return bridge.subscribe('sync.progressed', setSync);
  }, []);

  useEffect(() => {
    if (!operator) return;
    void call('sync.status', {}).then((r) => r.ok && setSync(r.result));
  }, [operator]);

  const signOut = async () => {
    await call('session.signOut', {});
    setOperator(null);
  };

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">{t('app.title')}</span>
        {info && <span className="terminal" data-testid="terminal-id">{info.terminalId}</span>}
        {sync && (
          <span className={sync.online ? 'sync online' : 'sync offline'} data-testid="sync-status">
            {sync.online ? t('app.online') : t('app.offline')}
            {sync.pending > 0 && ` · ${t('app.pending', { count: sync.pending })}`}
          </span>
        )}
        <span className="spacer" />
        {operator && <span data-testid="operator">{t('app.operator', { id: operator.operatorId, name: operator.name })}</span>}
        <label className="lang">
          {t('app.language')}
          <select
            data-testid="language"
            value={i18n.language}
            onChange={(e) => setLanguage(e.target.value as Language)}
          >
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {l === 'zh-CN' ? '中文' : 'English'}
              </option>
            ))}
          </select>
        </label>
        {operator && (
          <button type="button" className="secondary" onClick={() => void signOut()} data-testid="sign-out">
            {t('app.signOut')}
          </button>
        )}
      </header>
      <main className="content">{operator ? <CounterDesk /> : <SignIn onSignedIn={setOperator} />}</main>
    </div>
  );
}
