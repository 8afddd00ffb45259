import '@fontsource/noto-sans-sc/chinese-simplified-400.css';
import '@fontsource/noto-sans-sc/chinese-simplified-700.css';
import '@fontsource/noto-sans-sc/latin-400.css';
import '@fontsource/noto-sans-sc/latin-700.css';
import './styles.css';
import './i18n';
import { lazy, StrictMode, Suspense, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { SystemInfoView } from '../../main/contract/index.js';
import { CounterApp } from './counter/counter-app';
import { call } from './rpc';

// The kiosk's route tree loads only on a kiosk.
const KioskApp = lazy(() => import('./kiosk/kiosk-app').then((m) => ({ default: m.KioskApp })));
// The customer display (a second window opened with a pairing code, docs/service.md) loads only there.
const CustomerDisplay = lazy(() => import('./service/customer-display').then((m) => ({ default: m.CustomerDisplay })));
const displayCode = new URLSearchParams(location.search).get('display');

/** The customer display when opened as one; else counter or kiosk, as `system.info` says; until it answers, nothing (a kiosk must never flash the clerks' sign-in). */
function Root() {
  if (displayCode !== null)
    return (
      <Suspense fallback={null}>
        <CustomerDisplay code={displayCode} />
      </Suspense>
    );
  return <Terminal />;
}

function Terminal() {
  const [info, setInfo] = useState<SystemInfoView | null>(null);
  useEffect(() => {
    let alive = true;
    let timer: number | undefined;
    const ask = () =>
      void call('system.info', {}).then((r) => {
        if (!alive) return;
        if (r.ok) setInfo(r.result);
        else timer = window.setTimeout(ask, 2000);
      });
    ask();
    return () => {
      alive = false;
      window.clearTimeout(timer);
    };
  }, []);
  if (!info) return null;
  if (info.mode === 'kiosk')
    return (
      <Suspense fallback={null}>
        <KioskApp info={info} />
      </Suspense>
    );
  return <CounterApp />;
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <Root />
    </StrictMode>,
  );
}
