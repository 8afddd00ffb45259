import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OperatorView, SyncStatusView } from '../../../main/contract/index.js';
import { call } from '../rpc';

/** Roles that may force a sync (the contract's access rule for `sync.force`). */
const MAY_FORCE: readonly OperatorView['role'][] = ['supervisor', 'manager'];

/**
 * The initial pull of the service area in the top bar — accounts so far of the total, accounts
 * per second, time left — while it runs or until it is complete (a cut pull shows where it
 * stopped), and, for supervisors, "Sync now". A projection of `sync.progressed`; nothing here
 * counts on its own.
 */
export function SyncProgress({ sync, operator }: { readonly sync: SyncStatusView; readonly operator: OperatorView | null }) {
  const { t, i18n } = useTranslation();
  const [forcing, setForcing] = useState(false);
  const pull = sync.initialPull;
  const n = (v: number) => v.toLocaleString(i18n.language);
  const force = async () => {
    setForcing(true);
    try {
      await call('sync.force', { full: false });
    } finally {
      setForcing(false);
    }
  };
  return (
    <>
      {!pull.complete && (
        <span className="sync-progress" data-testid="sync-progress" role="status" aria-live="polite">
          {pull.total === null
            ? t('sync.progress.accounts', { accounts: n(pull.accounts) })
            : t('sync.progress.accountsOf', { accounts: n(pull.accounts), total: n(pull.total) })}
          {pull.running && pull.perSecond > 0 && ` · ${t('sync.progress.rate', { perSecond: n(pull.perSecond) })}`}
          {pull.running && pull.secondsLeft !== null && ` · ${t('sync.progress.left', { time: timeLeft(pull.secondsLeft, t) })}`}
          {!pull.running && ` · ${t('sync.progress.paused')}`}
          {pull.total !== null && pull.total > 0 && (
            <progress max={pull.total} value={Math.min(pull.accounts, pull.total)} aria-label={t('sync.progress.label')} />
          )}
        </span>
      )}
      {operator && MAY_FORCE.includes(operator.role) && (
        <button type="button" className="secondary" disabled={forcing} onClick={() => void force()} data-testid="sync-force">
          {t('sync.force')}
        </button>
      )}
    </>
  );
}

function timeLeft(seconds: number, t: (key: string, opts?: Record<string, unknown>) => string): string {
  if (seconds < 60) return t('sync.progress.seconds', { count: seconds });
  const minutes = Math.floor(seconds / 60);
  return t('sync.progress.minutes', { minutes, seconds: seconds % 60 });
}
