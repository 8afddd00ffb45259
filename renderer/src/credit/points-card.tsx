import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PointsBalanceView } from '../../../main/contract/index.js';
import { call, type CallResult } from '../rpc';
import { formatFen } from '../format';
import { formatDateTime } from '../format-time';
import { useTerminalTimeZone } from '../use-terminal-time-zone';

/**
 * The customer's prepaid points at the counter: the balance in force and the latest entries
 * (what each purchase earned, a reversal taking some back). Re-read with the account (`version`),
 * so a vend just delivered shows at once. Nothing for an account that never earned any. `initial`
 * is the answer read together with the account (see CreditCard).
 */
export function PointsCard({ accountNo, version, initial }: { readonly accountNo: string; readonly version: string; readonly initial?: CallResult<'points.balance'> }) {
  const { t, i18n } = useTranslation();
  const timeZone = useTerminalTimeZone();
  const [points, setPoints] = useState<PointsBalanceView | null>(initial?.ok ? initial.result : null);
  const preloaded = useRef(initial !== undefined);
  useEffect(() => {
    if (preloaded.current) {
      preloaded.current = false;
      return undefined;
    }
    let live = true;
    void call('points.balance', { accountNo }).then((r) => live && setPoints(r.ok ? r.result : null));
    return () => {
      live = false;
    };
  }, [accountNo, version]);
  if (!points || (points.balance === 0 && points.recent.length === 0)) return null;
  return (
    <section className="points-card" data-testid="points" aria-label={t('points.title')}>
      <h4>
        {t('points.title')} <strong data-testid="points-balance">{points.balance}</strong>
      </h4>
      <p className="hint">{t('points.rule', { points: points.pointsPerYuan })}</p>
      <ul className="points-recent" data-testid="points-recent">
        {points.recent.map((e) => (
          <li key={`${e.vendId}-${e.kind}`} data-testid="points-entry">
            <span className="nowrap">{timeZone ? formatDateTime(e.at, timeZone, i18n.language) : e.at}</span>{' '}
            {t(e.kind === 'accrual' ? 'points.accrual' : 'points.reversal', { points: Math.abs(e.points), amount: formatFen(e.energyFen) })}
          </li>
        ))}
      </ul>
    </section>
  );
}
