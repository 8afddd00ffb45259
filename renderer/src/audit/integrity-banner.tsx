import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { IntegrityView } from '../../../main/contract/index.js';
import { call } from '../rpc';

/**
 * Shown to every signed-in member of staff while the terminal refuses money because its journal
 * failed the integrity check (docs/audit.md): what is wrong and whom to call. Re-read after every
 * sync, so a refusal by the backend shows without a restart.
 */
export function IntegrityBanner({ refreshKey }: { readonly refreshKey: unknown }) {
  const { t } = useTranslation();
  const [view, setView] = useState<IntegrityView | null>(null);
  useEffect(() => {
    let live = true;
    void call('audit.status', {}).then((r) => live && r.ok && setView(r.result));
    return () => {
      live = false;
    };
  }, [refreshKey]);
  if (!view?.locked) return null;
  const first = view.breaks.find((b) => !b.acknowledged);
  return (
    <div className="integrity-banner" role="alert" data-testid="integrity-banner">
      <strong>{t('audit.integrity.banner')}</strong>{' '}
      {view.refusal
        ? t('audit.integrity.refusal', { reason: t(`audit.integrity.reason.${view.refusal.reason}`, { defaultValue: view.refusal.reason }) })
        : first && t('audit.integrity.break', { seq: first.seq, problem: t(`audit.integrity.problem.${first.problem}`) })}
    </div>
  );
}
