import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContactsView, WireError } from '../../../main/contract/index.js';
import { CONTACT_CHANNELS, CONTACT_OUTCOMES } from '../../../main/contract/collection.js';
import { formatFen } from '../format';
import { formatDateTime } from '../format-time';
import type { Language } from '../i18n';
import { call, useErrorText } from '../rpc';
import { useTerminalTimeZone } from '../use-terminal-time-zone';
import { AccountPicker } from './account-picker';
import { reasonText } from './reason-text';
import type { RecoverySectionProps } from './sections';

type Channel = (typeof CONTACT_CHANNELS)[number];
type Outcome = (typeof CONTACT_OUTCOMES)[number];

/** The contact log of one account: the suggested polite script, log a call/visit/SMS/letter with its outcome and a promise to pay, the history. */
export function ContactsSection({ accountNo: initial }: RecoverySectionProps) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const zone = useTerminalTimeZone();
  const [accountNo, setAccountNo] = useState(initial);
  const [view, setView] = useState<ContactsView | null>(null);
  const [channel, setChannel] = useState<Channel>('call');
  const [outcome, setOutcome] = useState<Outcome>('reached');
  const [note, setNote] = useState('');
  const [smsText, setSmsText] = useState('');
  const [promiseOn, setPromiseOn] = useState('');
  const [promiseAmount, setPromiseAmount] = useState('');
  const [error, setError] = useState<WireError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [requestId, setRequestId] = useState(() => crypto.randomUUID());

  const load = useCallback(async () => {
    if (!accountNo) return;
    const r = await call('collection.contacts', { accountNo, locale: i18n.language as Language });
    if (r.ok) {
      setView(r.result);
      setError(null);
    } else setError(r.error);
  }, [accountNo, i18n.language]);
  useEffect(() => {
    void load();
  }, [load]);

  const save = async () => {
    if (!accountNo) return;
    setDone(null);
    const r = await call('collection.logContact', {
      requestId,
      accountNo,
      channel,
      outcome,
      note,
      ...(channel === 'sms' && smsText ? { smsText } : {}),
      ...(outcome === 'promised' ? { promiseOn, ...(promiseAmount ? { promiseAmount } : {}) } : {}),
    });
    if (!r.ok) return setError(r.error);
    setError(null);
    setRequestId(crypto.randomUUID());
    setNote('');
    setSmsText('');
    setPromiseOn('');
    setPromiseAmount('');
    setDone(t('collection.ui.saved'));
    await load();
  };

  return (
    <div className="contacts" data-testid="contacts">
      <section className="card">
        <AccountPicker accountNo={accountNo} onOpen={setAccountNo} testId="contacts-account" />
        {view && (
          <>
            <p>
              <strong>{view.name}</strong> · {view.accountNo} · {view.phone}
            </p>
            {view.reasons.map((r, i) => (
              <div key={i} className={`reason reason-${r.kind}`}>
                <span className="tag">{t(`collection.reason.${r.kind}`)}</span> {reasonText(r, t)}
              </div>
            ))}
            <div className="script" data-testid="contacts-script" data-script={view.script.id}>
              <h4>{t('collection.ui.script')}</h4>
              <p>{view.script.text}</p>
              <button type="button" className="secondary" onClick={() => { setChannel('sms'); setSmsText(view.script.text); }}>{t('collection.ui.useScript')}</button>
            </div>
          </>
        )}
      </section>
      {error && <p className="error" role="alert" data-testid="contacts-error">{errorText(error)}</p>}
      {done && <p className="ok" data-testid="contacts-saved">{done}</p>}
      {view && (
        <form className="card contact-form" onSubmit={(e) => { e.preventDefault(); void save(); }}>
          <h3>{t('collection.ui.logTitle')}</h3>
          <div className="row">
            <label>
              {t('collection.ui.channel')}
              <select data-testid="contact-channel" value={channel} onChange={(e) => setChannel(e.target.value as Channel)}>
                {CONTACT_CHANNELS.map((c) => <option key={c} value={c}>{t(`collection.channel.${c}`)}</option>)}
              </select>
            </label>
            <label>
              {t('collection.ui.outcome')}
              <select data-testid="contact-outcome" value={outcome} onChange={(e) => setOutcome(e.target.value as Outcome)}>
                {CONTACT_OUTCOMES.map((o) => <option key={o} value={o}>{t(`collection.outcome.${o}`)}</option>)}
              </select>
            </label>
            {outcome === 'promised' && (
              <>
                <label>
                  {t('collection.ui.promiseOn')}
                  <input type="date" data-testid="contact-promise-on" value={promiseOn} onChange={(e) => setPromiseOn(e.target.value)} required />
                </label>
                <label>
                  {t('collection.ui.promiseAmount')}
                  <input data-testid="contact-promise-amount" inputMode="decimal" value={promiseAmount} onChange={(e) => setPromiseAmount(e.target.value)} />
                </label>
              </>
            )}
          </div>
          {channel === 'sms' && (
            <label className="wide">
              {t('collection.ui.smsText')}
              <textarea data-testid="contact-sms" rows={3} value={smsText} onChange={(e) => setSmsText(e.target.value)} />
            </label>
          )}
          <label className="wide">
            {t('collection.ui.note')}
            <input data-testid="contact-note" value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} />
          </label>
          <button type="submit" data-testid="contact-save">{t('collection.ui.save')}</button>
        </form>
      )}
      {view && (
        <section className="card">
          <h3>{t('collection.ui.history')}</h3>
          {view.items.length === 0 ? (
            <p className="muted">{t('collection.ui.noContacts')}</p>
          ) : (
            <ul className="contact-history" data-testid="contact-history">
              {view.items.map((c) => (
                <li key={c.contactId} data-testid="contact-row">
                  <strong>{t(`collection.channel.${c.channel}`)}</strong> · {t(`collection.outcome.${c.outcome}`)} · {zone ? formatDateTime(c.createdAt, zone, i18n.language) : c.createdAt} · {t('collection.ui.by', { name: c.operatorName })}
                  {c.promiseOn && (
                    <span className={`promise promise-${c.promiseState ?? 'open'}`}>
                      {' '}
                      · {c.promiseOn}
                      {c.promiseFen !== null ? ` ${formatFen(c.promiseFen)}` : ''} · {c.promiseState ? t(`collection.promiseState.${c.promiseState}`) : ''}
                    </span>
                  )}
                  {c.note && <div className="muted">{c.note}</div>}
                  {c.smsText && <div className="muted">“{c.smsText}”</div>}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}
