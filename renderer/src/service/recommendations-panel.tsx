import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RecommendationKind, RecommendationView, WireError } from '../../../main/contract/index.js';
import { formatFen } from '../format';
import { call, useErrorText } from '../rpc';

/** What to offer the customer at the counter, each with the reason to read out; the answer is recorded. */
export function RecommendationsPanel() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [accountNo, setAccountNo] = useState('');
  const [items, setItems] = useState<readonly RecommendationView[] | null>(null);
  const [error, setError] = useState<WireError | null>(null);

  const load = async () => {
    setError(null);
    const r = await call('recommendation.list', { accountNo: accountNo.trim() });
    if (r.ok) setItems(r.result.items);
    else {
      setItems(null);
      setError(r.error);
    }
  };
  const respond = async (kind: RecommendationKind, response: 'accepted' | 'declined') => {
    const r = await call('recommendation.respond', { accountNo: accountNo.trim(), kind, response });
    if (!r.ok) setError(r.error);
    await load();
  };

  return (
    <div className="service-panel">
      <form
        className="card row"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <label>
          {t('service.application.account')}
          <input value={accountNo} inputMode="numeric" onChange={(e) => setAccountNo(e.target.value)} data-testid="rec-account" />
        </label>
        <button type="submit" data-testid="rec-load">
          {t('service.recommend.load')}
        </button>
      </form>
      {error && <p className="error" role="alert">{errorText(error)}</p>}
      {items && items.length === 0 && <p>{t('service.recommend.none')}</p>}
      {items?.map((i) => (
        <section key={i.kind} className="card recommendation" data-testid={`rec-${i.kind}`}>
          <h3>{t(`service.recommend.kinds.${i.kind}`)}</h3>
          <p>{t(i.reasonKey, i.reasonVars)}</p>
          {i.tou && <p className="saving">{t('service.recommend.saving', { saving: formatFen(i.tou.savingFen) })}</p>}
          {i.accepted ? (
            <p className="ok">{t('service.recommend.accepted')}</p>
          ) : (
            <div className="row">
              <button type="button" onClick={() => void respond(i.kind, 'accepted')} data-testid={`rec-accept-${i.kind}`}>
                {t('service.recommend.accept')}
              </button>
              <button type="button" className="secondary" onClick={() => void respond(i.kind, 'declined')}>
                {t('service.recommend.decline')}
              </button>
            </div>
          )}
        </section>
      ))}
    </div>
  );
}
