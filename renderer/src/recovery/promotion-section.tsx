import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PromotionCandidateView, PromotionListView, WireError } from '../../../main/contract/index.js';
import { formatFen } from '../format';
import { call, useErrorText } from '../rpc';
import type { RecoverySectionProps } from './sections';
import '../credit/credit.css';

/**
 * Prepaid promotion (预付费推广): postpaid customers who pay late repeatedly and use a steady amount,
 * ranked by the model; the offer each gets by grade, recording it and the customer's answer, and
 * the conversion totals (an account that turned prepaid counts as converted).
 */
export function PromotionSection({ open }: RecoverySectionProps) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [view, setView] = useState<PromotionListView | null>(null);
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = async () => {
    const r = await call('promotion.candidates', { limit: 50 });
    if (r.ok) setView(r.result);
    else setError(r.error);
  };
  useEffect(() => {
    void load();
  }, []);

  const act = async (c: PromotionCandidateView, what: 'offer' | 'accepted' | 'declined') => {
    setBusy(c.accountNo);
    setError(null);
    const r =
      what === 'offer'
        ? await call('promotion.offer', { requestId: crypto.randomUUID(), accountNo: c.accountNo })
        : await call('promotion.respond', { offerId: c.offer?.offerId ?? '', outcome: what });
    setBusy(null);
    if (!r.ok) setError(r.error);
    await load();
  };

  const status = (c: PromotionCandidateView): string =>
    c.offer === null ? t('promotion.status.none') : t(`promotion.status.${c.offer.status}`, { until: c.offer.validUntil });

  return (
    <div className="promotion" data-testid="promotion">
      <section className="card">
        <h3>{t('promotion.title')}</h3>
        <p className="hint">{t('promotion.intro')}</p>
        {view && (
          <p data-testid="promotion-totals">
            {t('promotion.candidates', { count: view.candidates })} — {t('promotion.totals', view.totals)}
          </p>
        )}
        {error && <p className="error" role="alert" data-testid="promotion-error">{errorText(error)}</p>}
        {!view && !error && <p className="muted">{t('promotion.loading')}</p>}
        {view && view.items.length === 0 && <p>{t('promotion.empty')}</p>}
        {view && view.items.length > 0 && (
          <table className="bills promotion-table" data-testid="promotion-table">
            <thead>
              <tr>
                <th>{t('promotion.col.account')}</th>
                <th>{t('promotion.col.name')}</th>
                <th>{t('promotion.col.grade')}</th>
                <th className="num">{t('promotion.col.rank')}</th>
                <th className="num">{t('promotion.col.late')}</th>
                <th className="num">{t('promotion.col.kwh')}</th>
                <th className="num">{t('promotion.col.cv')}</th>
                <th>{t('promotion.col.offer')}</th>
                <th>{t('promotion.col.status')}</th>
                <th>{t('promotion.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {view.items.map((c) => (
                <tr key={c.accountNo} data-testid="promotion-row">
                  <td>
                    <button type="button" className="link" onClick={() => open('contacts', c.accountNo)}>
                      {c.accountNo}
                    </button>
                  </td>
                  <td>{c.name}</td>
                  <td>
                    <span className={`credit-grade-small credit-grade-${c.grade}`}>{c.grade}</span>
                  </td>
                  <td className="num" data-testid="promotion-rank">{c.rank}</td>
                  <td className="num">{c.latePayments12}</td>
                  <td className="num">{c.avgKwh}</td>
                  <td className="num">{c.cvPercent}%</td>
                  <td>{t(`promotion.offer.${c.offerKind}`, { bonus: formatFen(c.bonusFen) })}</td>
                  <td data-testid="promotion-status">{status(c)}</td>
                  <td className="nowrap">
                    {c.offer === null || c.offer.status === 'declined' ? (
                      <button type="button" disabled={busy !== null} onClick={() => void act(c, 'offer')} data-testid="promotion-offer">
                        {t('promotion.make')}
                      </button>
                    ) : c.offer.status === 'offered' ? (
                      <>
                        <button type="button" disabled={busy !== null} onClick={() => void act(c, 'accepted')} data-testid="promotion-accept">
                          {t('promotion.accept')}
                        </button>{' '}
                        <button type="button" className="secondary" disabled={busy !== null} onClick={() => void act(c, 'declined')} data-testid="promotion-decline">
                          {t('promotion.decline')}
                        </button>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
