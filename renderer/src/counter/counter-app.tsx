import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OperatorView, SyncStatusView, SystemInfoView, WireError } from '../../../main/contract/index.js';
import { bridge } from '../bridge';
import { LANGUAGES, setLanguage, type Language } from '../i18n';
import { call, lastCallAt, onSessionEnded } from '../rpc';
import { SignIn } from './sign-in';
import { SyncProgress } from './sync-progress';
import { CounterDesk } from './counter-desk';
import type { Screen } from '../screens';
import { vendingScreens } from '../vending';
import { deviceScreens } from '../devices';
import { shiftScreens } from '../shift';
import { serviceScreens } from '../service';
import { auditScreens, IntegrityBanner } from '../audit';
import { recoveryScreens } from '../recovery';
import { exceptionScreens } from '../exceptions';

const ALL_SCREENS: readonly Screen[] = [
  { id: 'pay', labelKey: 'app.counter', roles: ['clerk', 'supervisor', 'manager'], component: CounterDesk },
  ...vendingScreens,
  ...shiftScreens,
  ...serviceScreens,
  ...recoveryScreens,
  ...exceptionScreens,
  ...deviceScreens,
  ...auditScreens,
];

export function CounterApp() {
  const { t, i18n } = useTranslation();
  const [info, setInfo] = useState<SystemInfoView | null>(null);
  const [operator, setOperator] = useState<OperatorView | null>(null);
  const [sync, setSync] = useState<SyncStatusView | null>(null);
  const [screenId, setScreenId] = useState('pay');
  const languageChosen = useRef(false);
  // Why the last session ended (idle timeout, removed from the staff list), shown on the sign-in form.
  const [sessionEnded, setSessionEnded] = useState<WireError | null>(null);

  useEffect(() => {
    void call('system.info', {}).then((r) => {
      if (!r.ok) return;
      setInfo(r.result);
      // The terminal's default applies only until someone picks a language.
      if (!languageChosen.current) setLanguage(r.result.defaultLocale);
    });
    void call('session.current', {}).then((r) => r.ok && setOperator(r.result));
    return bridge.subscribe('sync.progressed', setSync);
  }, []);

  useEffect(() => {
    if (!operator) return;
    void call('sync.status', {}).then((r) => r.ok && setSync(r.result));
  }, [operator]);

  // A session the core ended: back to sign-in. The screens unmount, so nothing half-entered
  // (an amount, a tendered sum, an open account) survives into the next session.
  useEffect(
    () =>
      onSessionEnded((error) => {
        setOperator(null);
        setSessionEnded(error);
      }),
    [],
  );

  // Idle timeout: once this window has made no call for longer than the core's timeout, one call
  // lets the core answer 'session.expired' (which lands above), so the screen does not wait for a click.
  const idleTimeoutMs = info?.sessionIdleTimeoutMs;
  useEffect(() => {
    if (!operator || !idleTimeoutMs) return undefined;
    let timer: number | undefined;
    let alive = true;
    const check = () => {
      const wait = lastCallAt() + idleTimeoutMs + 1000 - Date.now();
      if (wait > 0) {
        timer = window.setTimeout(check, Math.min(wait, 60_000));
        return;
      }
      void call('sync.status', {}).then((r) => {
        if (!alive) return;
        if (r.ok) setSync(r.result);
        check();
      });
    };
    check();
    return () => {
      alive = false;
      window.clearTimeout(timer);
    };
  }, [operator, idleTimeoutMs]);

  const signedIn = (op: OperatorView) => {
    setSessionEnded(null);
    setOperator(op);
  };

  const screens = operator ? ALL_SCREENS.filter((sc) => sc.roles.includes(operator.role)) : [];
  const active = screens.find((sc) => sc.id === screenId) ?? screens[0];
  const Active = active?.component;

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
        {sync && <SyncProgress sync={sync} operator={operator} />}
        <span className="spacer" />
        {operator && <span data-testid="operator">{t('app.operator', { id: operator.operatorId, name: operator.name })}</span>}
        <label className="lang">
          <span className="lang-label">{t('app.language')}</span>
          <select
            data-testid="language"
            value={i18n.language}
            onChange={(e) => {
              languageChosen.current = true;
              setLanguage(e.target.value as Language);
            }}
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
      {operator && <IntegrityBanner refreshKey={`${operator.operatorId}:${sync?.lastPushAt ?? ''}:${sync?.lastError ?? ''}`} />}
      {operator && screens.length > 1 && (
        <nav className="tabs" data-testid="tabs">
          {screens.map((sc) => (
            <button
              type="button"
              key={sc.id}
              className={sc.id === active?.id ? 'tab active' : 'tab'}
              onClick={() => setScreenId(sc.id)}
              data-testid={`tab-${sc.id}`}
            >
              {t(sc.labelKey)}
            </button>
          ))}
        </nav>
      )}
      <main className="content">{operator && Active ? <Active /> : <SignIn onSignedIn={signedIn} notice={sessionEnded} />}</main>
    </div>
  );
}
