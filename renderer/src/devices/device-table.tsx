import { useTranslation } from 'react-i18next';
import { formatClock } from '../format-time';
import { useTerminalTimeZone } from '../use-terminal-time-zone';
import type { DeviceStatusView } from '../../../main/contract/index.js';
import { useErrorText } from '../rpc';


/** One row per configured device: what it is, where, whether it answers, and what is wrong. */
export function DeviceTable({ devices }: { readonly devices: readonly DeviceStatusView[] }) {
  const { t, i18n } = useTranslation();
  const timeZone = useTerminalTimeZone();
  const errorText = useErrorText();
  if (devices.length === 0) return <p data-testid="no-devices">{t('diagnostics.noDevices')}</p>;
  return (
    <table className="bills device-table" data-testid="device-table">
      <thead>
        <tr>
          <th>{t('diagnostics.column.device')}</th>
          <th>{t('diagnostics.column.address')}</th>
          <th>{t('diagnostics.column.connection')}</th>
          <th>{t('diagnostics.column.state')}</th>
          <th>{t('diagnostics.column.lastError')}</th>
        </tr>
      </thead>
      <tbody>
        {devices.map((d) => (
          <tr key={d.id} data-testid={`device-${d.id}`} className={`health-${d.health}`}>
            <td>
              <strong>{t(`diagnostics.kind.${d.kind}`)}</strong>
              {d.mode && <small className="device-mode"> · {t(`diagnostics.mode.${d.mode}`)}</small>}
            </td>
            <td className="device-address">{d.address}</td>
            <td data-testid={`device-${d.id}-connection`}>
              <span className={`pill connection-${d.connection}`}>{t(`diagnostics.connection.${d.connection}`)}</span>
            </td>
            <td data-testid={`device-${d.id}-state`}>
              <span className={`pill health-${d.health}`}>{t(d.stateKey)}</span>
              {d.cardSerial && <small className="device-mode"> {d.cardSerial}</small>}
            </td>
            <td data-testid={`device-${d.id}-last-error`}>
              {d.lastError ? (
                <>
                  {errorText({ code: d.lastError.code, i18nKey: `errors.${d.lastError.code}`, details: { ...d.lastError.details, device: t(`diagnostics.kind.${d.kind}`) } })}
                  <small className="device-mode"> {formatClock(d.lastError.at, timeZone, i18n.language)}</small>
                </>
              ) : (
                t('diagnostics.none')
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
