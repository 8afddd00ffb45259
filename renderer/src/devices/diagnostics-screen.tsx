import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatClock } from '../format-time';
import { useTerminalTimeZone } from '../use-terminal-time-zone';
import { DeviceTable } from './device-table';
import { EventLog } from './event-log';
import { PrinterHealthBanner } from './printer-health-banner';
import { TestCardReadPanel, TestPrintPanel, TestScanPanel } from './test-panels';
import { UpdatesPanel } from './updates-panel';
import { useDeviceList } from './use-devices';
import './diagnostics.css';

/** Branch staff's device check: every device's state, the three tests, and events as they happen. */
export function DiagnosticsScreen() {
  const { t, i18n } = useTranslation();
  const timeZone = useTerminalTimeZone();
  const { devices, checkedAt, refresh } = useDeviceList();
  const [busy, setBusy] = useState(false);
  const check = async () => {
    setBusy(true);
    await refresh();
    setBusy(false);
  };
  return (
    <div className="diagnostics" data-testid="diagnostics">
      <PrinterHealthBanner showCardWriter />
      <section className="card">
        <div className="diagnostics-head">
          <h2>{t('diagnostics.title')}</h2>
          {checkedAt && <small className="device-mode">{t('diagnostics.checkedAt', { time: formatClock(checkedAt, timeZone, i18n.language) })}</small>}
          <span className="spacer" />
          <button type="button" className="secondary" disabled={busy} onClick={() => void check()} data-testid="devices-refresh">
            {t('diagnostics.refresh')}
          </button>
        </div>
        <DeviceTable devices={devices} />
      </section>
      <div className="diagnostics-tests">
        <TestPrintPanel />
        <TestCardReadPanel />
        <TestScanPanel />
        <UpdatesPanel />
      </div>
      <EventLog />
    </div>
  );
}
