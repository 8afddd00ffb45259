import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ComplaintCategoryView, ComplaintView, WireError } from '../../../main/contract/index.js';
import { formatDateTime } from '../format-time';
import { call, useErrorText } from '../rpc';
import { useTerminalTimeZone } from '../use-terminal-time-zone';

/** Record a complaint or suggestion; the open ones, overdue first, with their next step. */
export function ComplaintsPanel() {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const tz = useTerminalTimeZone() ?? 'Asia/Shanghai';
  const [items, setItems] = useState<readonly ComplaintView[]>([]);
  const [categories, setCategories] = useState<readonly ComplaintCategoryView[]>([]);
  const [category, setCategory] = useState('');
  const [text, setText] = useState('');
  const [contactName, setContactName] = useState('');
  const [contactPhone, setContactPhone] = useState('');
  const [accountNo, setAccountNo] = useState('');
  const [note, setNote] = useState<Record<string, string>>({});
  const [error, setError] = useState<WireError | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const load = useCallback(async () => {
    const r = await call('complaint.list', { include: 'open' });
    if (r.ok) {
      setItems(r.result.items);
      setCategories(r.result.categories);
      setCategory((c) => c || (r.result.categories[0]?.id ?? ''));
    } else setError(r.error);
  }, []);
  useEffect(() => void load(), [load]);

  const create = async () => {
    setError(null);
    setDone(null);
    const r = await call('complaint.create', {
      requestId: crypto.randomUUID(),
      category,
      text,
      ...(contactName.trim() ? { contactName } : {}),
      ...(contactPhone.trim() ? { contactPhone } : {}),
      ...(accountNo.trim() ? { accountNo: accountNo.trim() } : {}),
    });
    if (!r.ok) {
      setError(r.error);
      return;
    }
    setDone(t('service.complaint.created', { trackingNo: r.result.trackingNo }));
    setText('');
    setContactName('');
    setContactPhone('');
    setAccountNo('');
    await load();
  };

  const act = async (c: ComplaintView, step: 'reply' | 'resolve' | 'confirm' | 'confirmNot') => {
    setError(null);
    const n = (note[c.complaintId] ?? '').trim();
    const r =
      step === 'reply'
        ? await call('complaint.reply', { complaintId: c.complaintId, note: n })
        : step === 'resolve'
          ? await call('complaint.resolve', { complaintId: c.complaintId, closingNote: n })
          : await call('complaint.confirm', { complaintId: c.complaintId, satisfied: step === 'confirm' });
    if (!r.ok) setError(r.error);
    setNote((m) => ({ ...m, [c.complaintId]: '' }));
    await load();
  };

  const when = (iso: string) => formatDateTime(iso, tz, i18n.language);
  // A deadline is the midnight that ends its day; shown as that day's 23:59, not the next day's 00:00.
  const until = (iso: string) => when(new Date(Date.parse(iso) - 60_000).toISOString());

  return (
    <div className="service-panel">
      <form
        className="card complaint-form"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
        aria-label={t('service.complaint.new')}
      >
        <h2>{t('service.complaint.new')}</h2>
        <div className="row">
          <label>
            {t('service.complaint.category')}
            <select value={category} onChange={(e) => setCategory(e.target.value)} data-testid="complaint-category">
              {categories.map((c) => (
                <option key={c.id} value={c.id}>
                  {t(`service.complaint.categories.${c.id}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('service.complaint.contactName')}
            <input value={contactName} onChange={(e) => setContactName(e.target.value)} data-testid="complaint-contact-name" />
          </label>
          <label>
            {t('service.complaint.contactPhone')}
            <input value={contactPhone} inputMode="numeric" onChange={(e) => setContactPhone(e.target.value)} data-testid="complaint-contact-phone" />
          </label>
          <label>
            {t('service.complaint.accountNo')}
            <input value={accountNo} inputMode="numeric" onChange={(e) => setAccountNo(e.target.value)} data-testid="complaint-account" />
          </label>
        </div>
        <label className="wide">
          {t('service.complaint.text')}
          <textarea value={text} rows={3} onChange={(e) => setText(e.target.value)} data-testid="complaint-text" />
        </label>
        <button type="submit" data-testid="complaint-create">
          {t('service.complaint.create')}
        </button>
        {done && <p className="ok" data-testid="complaint-created">{done}</p>}
        {error && <p className="error" role="alert" data-testid="complaint-error">{errorText(error)}</p>}
      </form>

      <section className="card" aria-label={t('service.complaint.list')}>
        <h2>{t('service.complaint.list')}</h2>
        {items.length === 0 && <p>{t('service.complaint.none')}</p>}
        <ul className="complaints" data-testid="complaint-list">
          {items.map((c) => (
            <li key={c.complaintId} className={c.overdue ? 'complaint overdue' : 'complaint'} data-testid="complaint-item" data-tracking={c.trackingNo}>
              <div className="complaint-head">
                <strong>{c.trackingNo}</strong>
                <span>{t(`service.complaint.categories.${c.category}`)}</span>
                <span className="status">{t(`service.complaint.statuses.${c.status}`)}</span>
                {c.overdue && <span className="badge err" data-testid="complaint-overdue">{t('service.complaint.overdue')}</span>}
                {c.escalationLevel > 0 && (
                  <span className="badge warn" data-testid="complaint-escalation">
                    {t(`service.complaint.escalation.${c.escalationLevel}`)}
                  </span>
                )}
              </div>
              <p className="complaint-text">{c.text}</p>
              <p className="due">
                {t('service.complaint.replyDue')}: {until(c.replyDueAt)} · {t('service.complaint.resolveDue')}: {until(c.resolveDueAt)}
              </p>
              <div className="row">
                {(c.status === 'open' || c.status === 'replied') && (
                  <input
                    aria-label={c.status === 'open' ? t('service.complaint.note') : t('service.complaint.closingNote')}
                    placeholder={c.status === 'open' ? t('service.complaint.note') : t('service.complaint.closingNote')}
                    value={note[c.complaintId] ?? ''}
                    onChange={(e) => setNote((m) => ({ ...m, [c.complaintId]: e.target.value }))}
                    data-testid="complaint-note"
                  />
                )}
                {c.status === 'open' && (
                  <button type="button" className="secondary" onClick={() => void act(c, 'reply')} data-testid="complaint-reply">
                    {t('service.complaint.reply')}
                  </button>
                )}
                {(c.status === 'open' || c.status === 'replied') && (
                  <button type="button" className="secondary" onClick={() => void act(c, 'resolve')} data-testid="complaint-resolve">
                    {t('service.complaint.resolve')}
                  </button>
                )}
                {c.status === 'resolved' && (
                  <>
                    <button type="button" onClick={() => void act(c, 'confirm')} data-testid="complaint-confirm">
                      {t('service.complaint.confirm')}
                    </button>
                    <button type="button" className="secondary" onClick={() => void act(c, 'confirmNot')}>
                      {t('service.complaint.confirmNot')}
                    </button>
                  </>
                )}
              </div>
              <details>
                <summary>{t('service.complaint.history')}</summary>
                <ol className="history">
                  {c.history.map((h, i) => (
                    <li key={i}>
                      {when(h.at)} · {t(`service.complaint.actions.${h.action}`)}
                      {h.action === 'escalated' && h.note ? ` (${t(`service.complaint.stages.${h.note}`)})` : h.note ? `: ${h.note}` : ''}
                    </li>
                  ))}
                </ol>
              </details>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
