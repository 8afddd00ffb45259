import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DisplayView, RatingReason, WireError } from '../../../main/contract/index.js';
import { formatFen } from '../format';
import { LANGUAGES, setLanguage } from '../i18n';
import { call, useErrorText } from '../rpc';
import './service.css';

const POLL_MS = 1000;
const SCORES = [1, 2, 3, 4, 5] as const;

/**
 * The customer-facing display: a second window, never signed in, paired by its code. It shows the
 * clerk's name while idle and, after a counter transaction, asks for a rating (1–5, optional
 * reasons). It polls the core: events go only to signed-in sessions.
 */
export function CustomerDisplay({ code }: { readonly code: string }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const [view, setView] = useState<DisplayView | null>(null);
  const [error, setError] = useState<WireError | null>(null);
  const [score, setScore] = useState<number | null>(null);
  const [reasons, setReasons] = useState<readonly RatingReason[]>([]);
  const [sending, setSending] = useState(false);

  useEffect(() => {
    let alive = true;
    let timer: number | undefined;
    const poll = async (attach: boolean) => {
      const r = attach ? await call('display.attach', { code }) : await call('display.current', {});
      if (!alive) return;
      if (r.ok) {
        setView((prev) => {
          // A new transaction clears the previous customer's choices.
          if (prev?.transaction?.transactionId !== r.result.transaction?.transactionId) {
            setScore(null);
            setReasons([]);
          }
          return r.result;
        });
        setError(null);
      } else setError(r.error);
      timer = window.setTimeout(() => void poll(false), POLL_MS);
    };
    void poll(true);
    return () => {
      alive = false;
      window.clearTimeout(timer);
    };
  }, [code]);

  const send = async () => {
    if (!view?.transaction || score === null) return;
    setSending(true);
    const r = await call('display.rate', { transactionId: view.transaction.transactionId, score, reasons: [...reasons] });
    setSending(false);
    if (!r.ok) setError(r.error);
    else {
      const now = await call('display.current', {});
      if (now.ok) setView(now.result);
    }
  };

  const toggle = (reason: RatingReason) => setReasons((rs) => (rs.includes(reason) ? rs.filter((x) => x !== reason) : [...rs, reason]));

  return (
    <main className="customer-display" data-testid="customer-display" data-state={view?.state ?? 'none'}>
      <header>
        <h1>{t('service.display.title')}</h1>
        <div className="langs">
          {LANGUAGES.map((l) => (
            <button key={l} type="button" className={i18n.language === l ? '' : 'secondary'} onClick={() => setLanguage(l)} data-testid={`display-lang-${l}`}>
              {l === 'zh-CN' ? '中文' : 'English'}
            </button>
          ))}
        </div>
      </header>
      {error && !view && <p className="error" role="alert" data-testid="display-error">{errorText(error)}</p>}
      {view?.state === 'idle' && <p className="display-idle" data-testid="display-idle">{t('service.display.idle', { clerk: view.clerkName })}</p>}
      {view?.state === 'thanks' && <p className="display-thanks" data-testid="display-thanks">{t('service.display.thanks')}</p>}
      {view?.state === 'rate' && view.transaction && (
        <section className="display-rate" data-testid="display-rate">
          <p className="display-tx">{t(`service.display.transaction.${view.transaction.kind}`, { amount: formatFen(view.transaction.amountFen) })}</p>
          <h2>{t('service.display.prompt')}</h2>
          <div className="scores" role="radiogroup" aria-label={t('service.display.prompt')}>
            {SCORES.map((s) => (
              <button key={s} type="button" role="radio" aria-checked={score === s} className={score === s ? 'score chosen' : 'score'} onClick={() => setScore(s)} data-testid={`display-score-${s}`}>
                <span className="stars" aria-hidden="true">{'★'.repeat(s)}</span>
                <span>{t(`service.display.scores.${s}`)}</span>
              </button>
            ))}
          </div>
          <h3>{t('service.display.reasonsTitle')}</h3>
          <div className="reasons">
            {view.reasons.map((r) => (
              <button key={r} type="button" aria-pressed={reasons.includes(r)} className={reasons.includes(r) ? 'reason chosen' : 'reason secondary'} onClick={() => toggle(r)} data-testid={`display-reason-${r}`}>
                {t(`service.display.reasons.${r}`)}
              </button>
            ))}
          </div>
          {error && <p className="error" role="alert">{errorText(error)}</p>}
          <button type="button" className="submit" disabled={score === null || sending} onClick={() => void send()} data-testid="display-submit">
            {t('service.display.submit')}
          </button>
        </section>
      )}
    </main>
  );
}
