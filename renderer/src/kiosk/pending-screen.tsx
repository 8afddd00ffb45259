/**
 * A paid kiosk transaction that was not delivered (a crash, a power cut, a card pulled out): it
 * comes before anything else. Shown in both languages, since the customer it belongs to may not
 * have chosen one yet.
 */
import { useTranslation } from 'react-i18next';
import type { KioskPendingView } from '../../../main/contract/index.js';
import { formatFen } from '../format';

export function PendingScreen({ pending, onGo, busy }: { readonly pending: KioskPendingView; readonly onGo: () => void; readonly busy: boolean }) {
  const { i18n } = useTranslation();
  const amount = formatFen(pending.amountFen).slice(1);
  return (
    <div className="k-frame k-pending" data-testid="pending">
      <main className="k-main">
        {(['zh-CN', 'en'] as const).map((lng) => {
          const t = i18n.getFixedT(lng);
          return (
            <section key={lng} lang={lng} className="k-oos-block">
              <h1 className="k-title">{t('kiosk.pending.title')}</h1>
              <p className="k-lead">{t('kiosk.pending.body', { amount })}</p>
              {pending.needs === 'card' && <p className="k-lead k-strong">{t('kiosk.pending.card')}</p>}
            </section>
          );
        })}
        <button type="button" className="k-primary k-pending-go" onClick={onGo} disabled={busy} data-testid="pending-go">
          <span lang="zh-CN">{i18n.getFixedT('zh-CN')('kiosk.pending.go')}</span>
          <span lang="en">{i18n.getFixedT('en')('kiosk.pending.go')}</span>
        </button>
      </main>
    </div>
  );
}
