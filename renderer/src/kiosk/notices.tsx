/**
 * What the kiosk cannot do right now, said before the customer relies on it: QR payment down
 * (at the start), no paper (before paying), the card writer (for card meters), the backend offline.
 * Each function is judged on its own from `kiosk.status` capabilities.
 */
import { useTranslation } from 'react-i18next';
import type { KioskFunction, KioskStatusView } from '../../../main/contract/index.js';
import { formatFen } from '../format';
import { useErrorText } from '../rpc';

export type NoticeKind = 'qr' | 'print' | 'cardTopUp' | 'offline' | 'payBills' | 'buyToken';

export function unavailable(status: KioskStatusView | null, f: KioskFunction): boolean {
  return status !== null && !status.capabilities[f].available;
}

export function Notices({ status, show }: { readonly status: KioskStatusView | null; readonly show: readonly NoticeKind[] }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  if (!status) return null;
  const items: { kind: NoticeKind; text: string }[] = [];
  for (const kind of show) {
    if (kind === 'offline') {
      if (!status.backendOnline) items.push({ kind, text: t('kiosk.notices.offlineLimit', { amount: formatFen(status.offlineAvailableFen).slice(1) }) });
      continue;
    }
    const cap = status.capabilities[kind];
    if (cap.available) continue;
    if (kind === 'print') items.push({ kind, text: cap.reason ? t('kiosk.notices.print', { reason: errorText(cap.reason).replace(/[。.]$/, '') }) : t('kiosk.notices.printShort') });
    else items.push({ kind, text: t(`kiosk.notices.${kind}`) });
  }
  if (items.length === 0) return null;
  return (
    <div className="k-notices" role="status">
      {items.map((n) => (
        <p key={n.kind} className="k-note" data-testid={`notice-${n.kind}`}>
          {n.text}
        </p>
      ))}
    </div>
  );
}
