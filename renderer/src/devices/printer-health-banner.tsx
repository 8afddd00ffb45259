import { useTranslation } from 'react-i18next';
import { useDeviceHealth } from './use-devices';

/**
 * The warning a payment screen shows before money is taken: the printer cannot print (and why,
 * in the clerk's language) so the receipt/token must be shown on screen; paper is running low;
 * the card writer is unavailable (`showCardWriter`, for prepaid screens). Renders nothing when
 * all is well.
 */
export function PrinterHealthBanner({ showCardWriter = false }: { readonly showCardWriter?: boolean }) {
  const { t } = useTranslation();
  const health = useDeviceHealth();
  if (!health) return null;
  const { printer, cardWriter } = health;
  const messages: { key: string; text: string; level: 'error' | 'warning' }[] = [];
  if (printer.configured && printer.fault !== null) {
    messages.push({ key: 'print', level: 'error', text: t('diagnostics.banner.cannotPrint', { reason: t(`errors.${printer.fault}`, { device: t('diagnostics.kind.printer') }) }) });
  } else if (printer.paperNearEnd) {
    messages.push({ key: 'paper', level: 'warning', text: t('diagnostics.banner.paperNearEnd') });
  }
  if (showCardWriter && cardWriter.configured && !cardWriter.available) {
    messages.push({ key: 'card', level: 'warning', text: t('diagnostics.banner.noCardWriter') });
  }
  if (messages.length === 0) return null;
  return (
    <div className="device-banner" data-testid="device-banner" role="status">
      {messages.map((m) => (
        <p key={m.key} className={`device-banner-${m.level}`} data-testid={`device-banner-${m.key}`}>
          {m.text}
        </p>
      ))}
    </div>
  );
}
