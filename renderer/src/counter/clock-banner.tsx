import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ClockStatusView } from '../../../main/contract/index.js';
import { bridge } from '../bridge';
import { call } from '../rpc';

/**
 * The clock guard's warning (main/sync/clock-guard.ts): this terminal's clock is further from the
 * billing backend's than allowed, so payments, top-ups and tokens are refused until it is set
 * right. Current from `clock.status`, kept current by `clock.checked`. Renders nothing otherwise.
 */
export function ClockBanner() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<ClockStatusView | null>(null);
  useEffect(() => {
    let alive = true;
    void call('clock.status', {}).then((r) => alive && r.ok && setStatus(r.result));
    const off = bridge.subscribe('clock.checked', setStatus);
    return () => {
      alive = false;
      off();
    };
  }, []);
  if (!status || status.state !== 'drift' || status.driftMs === null) return null;
  const seconds = Math.round(Math.abs(status.driftMs) / 1000);
  const maxSeconds = Math.round(status.maxDriftMs / 1000);
  const minutes = status.ageMs === null ? 0 : Math.floor(status.ageMs / 60_000);
  return (
    <div className="device-banner" data-testid="clock-banner" role="alert">
      <p className="device-banner-error">
        {t(status.driftMs > 0 ? 'clock.banner.ahead' : 'clock.banner.behind', { seconds, maxSeconds })}
        {minutes > 0 && ` ${t('clock.banner.age', { minutes })}`}
      </p>
    </div>
  );
}
