import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VendCardCheckView, WireError } from '../../../main/contract/index.js';
import { bridge } from '../bridge';
import { formatFen } from '../format';
import { call, useErrorText } from '../rpc';

/**
 * The card in the reader, checked against the chosen card meter (nothing written): "insert the
 * card", or the card's account / meter / generation / purchase count and whether it can be written.
 * Re-checks when a card goes in or out. `onReady` tells the screen whether payment may start.
 */
export function CardPanel({ accountNo, meterNo, onReady }: { readonly accountNo: string; readonly meterNo: string; readonly onReady: (ready: boolean) => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [check, setCheck] = useState<VendCardCheckView | null>(null);
  const [error, setError] = useState<WireError | null>(null);
  const [reading, setReading] = useState(false);

  const load = useCallback(async () => {
    setReading(true);
    const r = await call('vend.cardCheck', { accountNo, meterNo });
    setReading(false);
    if (!r.ok) {
      setCheck(null);
      setError(r.error);
      onReady(false);
      return;
    }
    setError(null);
    setCheck(r.result);
    onReady(r.result.problem === null);
  }, [accountNo, meterNo, onReady]);

  useEffect(() => {
    void load();
    const offIn = bridge.subscribe('card.inserted', () => void load());
    const offOut = bridge.subscribe('card.removed', () => void load());
    return () => {
      offIn();
      offOut();
    };
  }, [load]);

  const problem = error ?? check?.problem ?? null;
  const absent = check !== null && !check.present;
  return (
    <div className="card-panel" data-testid="card-panel" data-ready={check?.problem === null ? 'yes' : 'no'}>
      <h3>{t('vending.card.title')}</h3>
      {reading && !check && <p>{t('vending.card.reading')}</p>}
      {absent && (
        <p className="card-insert" data-testid="card-insert">
          {t('vending.card.insert')}
        </p>
      )}
      {check?.present && check.cardSerial && (
        <dl className="card-facts" data-testid="card-facts">
          <dt>{t('vending.card.account')}</dt>
          <dd data-testid="card-account">{check.cardAccountNo}</dd>
          <dt>{t('vending.card.meter')}</dt>
          <dd data-testid="card-meter">{check.cardMeterNo}</dd>
          <dt>{t('vending.card.generation')}</dt>
          <dd>{check.cardGeneration}</dd>
          <dt>{t('vending.card.counter')}</dt>
          <dd data-testid="card-counter">{check.counter}</dd>
          {check.meterCreditFen !== null && (
            <>
              <dt>{t('vending.card.meterCredit')}</dt>
              <dd>{formatFen(check.meterCreditFen)}</dd>
            </>
          )}
        </dl>
      )}
      {check?.present && check.problem === null && (
        <p className="ok" data-testid="card-ready">
          {t('vending.card.ready')}
        </p>
      )}
      {problem && !absent && (
        <p className="error" data-testid="card-problem">
          {errorText(problem)}
        </p>
      )}
      <button type="button" className="secondary" onClick={() => void load()} disabled={reading} data-testid="card-recheck">
        {t('vending.card.check')}
      </button>
    </div>
  );
}

const STEPS = ['checked', 'backed_up', 'marked', 'written', 'verified', 'cleared'] as const;

/** Write progress: the journaled card steps of the vend being written. */
export function CardWriteProgress({ lastStep }: { readonly lastStep: string | null }) {
  const { t } = useTranslation();
  const reached = lastStep === null ? -1 : STEPS.indexOf(lastStep as (typeof STEPS)[number]);
  return (
    <div className="card-writing" data-testid="card-writing" role="status">
      <p className="card-dont-remove">{t('vending.card.writing')}</p>
      <ol className="card-steps">
        {STEPS.map((s, i) => (
          <li key={s} className={i <= reached ? 'done' : ''}>
            {t(`vending.card.steps.${s}`)}
          </li>
        ))}
      </ol>
    </div>
  );
}
