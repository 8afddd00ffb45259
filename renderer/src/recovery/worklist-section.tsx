import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WireError, WorklistView } from '../../../main/contract/index.js';
import { WORKLIST_REASON_KINDS, WORKLIST_SORTS } from '../../../main/contract/collection.js';
import { formatFen } from '../format';
import type { Language } from '../i18n';
import { call, useErrorText } from '../rpc';
import { download } from './download';
import { bucketLabel, reasonText } from './reason-text';
import type { RecoverySectionProps } from './sections';

const PAGE = 20;
const CLASSES = ['residential', 'commercial', 'industrial', 'agricultural'] as const;
const GRADES = ['AAA', 'AA', 'A', 'B', 'C'] as const;
type Sort = (typeof WORKLIST_SORTS)[number];
type Reason = (typeof WORKLIST_REASON_KINDS)[number];

/** Today's arrears early-warning worklist: filter, sort, select and assign, export; open a notice or the contact log for a row. */
export function WorklistSection({ open }: RecoverySectionProps) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const [reason, setReason] = useState<Reason | ''>('');
  const [bucket, setBucket] = useState('');
  const [cls, setCls] = useState('');
  const [grade, setGrade] = useState('');
  const [assignee, setAssignee] = useState('');
  const [sort, setSort] = useState<Sort>('priority');
  const [offset, setOffset] = useState(0);
  const [view, setView] = useState<WorklistView | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [assignTo, setAssignTo] = useState('');
  const [error, setError] = useState<WireError | null>(null);
  const [note, setNote] = useState<string | null>(null);

  const filter = useCallback(
    () => ({
      ...(reason ? { reasons: [reason] } : {}),
      ...(bucket !== '' ? { ageBucket: Number(bucket) } : {}),
      ...(cls ? { customerClass: cls as (typeof CLASSES)[number] } : {}),
      ...(grade ? { grade: grade as (typeof GRADES)[number] } : {}),
      ...(assignee ? { assignee } : {}),
      sort,
    }),
    [reason, bucket, cls, grade, assignee, sort],
  );

  const load = useCallback(async () => {
    const r = await call('collection.worklist', { ...filter(), offset, limit: PAGE });
    if (r.ok) {
      setView(r.result);
      setError(null);
    } else setError(r.error);
  }, [filter, offset]);

  useEffect(() => {
    void load();
  }, [load]);

  const toggle = (no: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(no)) next.delete(no);
      else next.add(no);
      return next;
    });

  const doAssign = async (to: string | null) => {
    setNote(null);
    const r = await call('collection.assign', { accountNos: [...selected], assigneeId: to });
    if (!r.ok) return setError(r.error);
    const name = view?.staff.find((s) => s.operatorId === to)?.name ?? to ?? '';
    setNote(to ? t('collection.ui.assigned', { count: r.result.assigned, name }) : t('collection.ui.unassigned_done', { count: r.result.assigned }));
    setSelected(new Set());
    await load();
  };

  const exportAs = async (format: 'csv' | 'xlsx') => {
    const r = await call('collection.export', { ...filter(), format, locale: i18n.language as Language });
    if (!r.ok) return setError(r.error);
    download(r.result);
    setNote(t('collection.ui.exported', { file: r.result.fileName }));
  };

  const reset = () => setOffset(0);
  const items = view?.items ?? [];
  return (
    <div className="worklist" data-testid="worklist">
      <form className="card row worklist-filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('collection.ui.filterReason')}
          <select data-testid="wl-reason" value={reason} onChange={(e) => { setReason(e.target.value as Reason | ''); reset(); }}>
            <option value="">{t('collection.ui.any')}</option>
            {WORKLIST_REASON_KINDS.map((k) => (
              <option key={k} value={k}>{t(`collection.reason.${k}`)}{view ? ` (${view.byReason[k]})` : ''}</option>
            ))}
          </select>
        </label>
        <label>
          {t('collection.ui.filterBucket')}
          <select data-testid="wl-bucket" value={bucket} onChange={(e) => { setBucket(e.target.value); reset(); }}>
            <option value="">{t('collection.ui.any')}</option>
            {(view?.byBucket ?? []).map((n, i) => (
              <option key={i} value={String(i)}>{bucketLabel(i, view?.bucketBounds ?? [], t)} ({n})</option>
            ))}
          </select>
        </label>
        <label>
          {t('collection.ui.filterClass')}
          <select data-testid="wl-class" value={cls} onChange={(e) => { setCls(e.target.value); reset(); }}>
            <option value="">{t('collection.ui.any')}</option>
            {CLASSES.map((c) => <option key={c} value={c}>{t(`collection.class.${c}`)}</option>)}
          </select>
        </label>
        <label>
          {t('collection.ui.filterGrade')}
          <select data-testid="wl-grade" value={grade} onChange={(e) => { setGrade(e.target.value); reset(); }}>
            <option value="">{t('collection.ui.any')}</option>
            {GRADES.map((g) => <option key={g} value={g}>{g}</option>)}
          </select>
        </label>
        <label>
          {t('collection.ui.filterAssignee')}
          <select data-testid="wl-assignee" value={assignee} onChange={(e) => { setAssignee(e.target.value); reset(); }}>
            <option value="">{t('collection.ui.any')}</option>
            <option value="unassigned">{t('collection.ui.unassigned')}</option>
            {(view?.staff ?? []).map((s) => <option key={s.operatorId} value={s.operatorId}>{s.name} ({s.operatorId})</option>)}
          </select>
        </label>
        <label>
          {t('collection.ui.sort')}
          <select data-testid="wl-sort" value={sort} onChange={(e) => { setSort(e.target.value as Sort); reset(); }}>
            {WORKLIST_SORTS.map((s) => <option key={s} value={s}>{t(`collection.ui.sortBy.${s}`)}</option>)}
          </select>
        </label>
      </form>

      {error && <p className="error" role="alert" data-testid="wl-error">{errorText(error)}</p>}
      {note && <p className="ok" data-testid="wl-note">{note}</p>}
      {!view && !error && <p className="muted">{t('collection.ui.loading')}</p>}
      {view && (
        <section className="card">
          <div className="row worklist-actions">
            <p data-testid="wl-summary">{t('collection.ui.summary', { total: view.total, all: view.all, date: view.date })}</p>
            <label>
              {t('collection.ui.assignTo')}
              <select data-testid="wl-assign-to" value={assignTo} onChange={(e) => setAssignTo(e.target.value)}>
                <option value="">—</option>
                {view.staff.map((s) => <option key={s.operatorId} value={s.operatorId}>{s.name} ({s.operatorId})</option>)}
              </select>
            </label>
            <button type="button" data-testid="wl-assign" disabled={selected.size === 0 || !assignTo} onClick={() => void doAssign(assignTo)}>{t('collection.ui.assign')}</button>
            <button type="button" className="secondary" disabled={selected.size === 0} onClick={() => void doAssign(null)}>{t('collection.ui.unassign')}</button>
            <button type="button" className="secondary" data-testid="wl-export-csv" onClick={() => void exportAs('csv')}>{t('collection.ui.exportCsv')}</button>
            <button type="button" className="secondary" data-testid="wl-export-xlsx" onClick={() => void exportAs('xlsx')}>{t('collection.ui.exportXlsx')}</button>
          </div>
          {items.length === 0 ? (
            <p className="muted" data-testid="wl-empty">{t('collection.ui.empty')}</p>
          ) : (
            <table className="bills worklist-table">
              <thead>
                <tr>
                  <th>
                    <input
                      type="checkbox"
                      aria-label={t('collection.ui.selectAll')}
                      checked={items.every((i) => selected.has(i.accountNo))}
                      onChange={(e) => setSelected(e.target.checked ? new Set(items.map((i) => i.accountNo)) : new Set())}
                    />
                  </th>
                  <th>{t('collection.column.accountNo')}</th>
                  <th className="num">{t('collection.column.overdue')}</th>
                  <th className="num">{t('collection.column.overdueDays')}</th>
                  <th>{t('collection.column.reasons')}</th>
                  <th>{t('collection.column.assignee')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {items.map((i) => (
                  <tr key={i.accountNo} data-testid="wl-row" data-account={i.accountNo}>
                    <td>
                      <input type="checkbox" aria-label={t('collection.ui.select', { accountNo: i.accountNo })} checked={selected.has(i.accountNo)} onChange={() => toggle(i.accountNo)} />
                    </td>
                    <td>
                      <strong>{i.accountNo}</strong>
                      {i.grade && <span className={`grade-tag grade-${i.grade}`} title={t('collection.ui.filterGrade')}> {i.grade}</span>}
                      <br />
                      {i.name} <small className="muted">· {t(`collection.class.${i.customerClass}`)} · {t(`collection.mode.${i.paymentMode}`)}</small>
                    </td>
                    <td className="num">{i.overdueFen > 0 ? formatFen(i.overdueFen) : ''}</td>
                    <td className="num">{i.overdueDays > 0 ? i.overdueDays : ''}</td>
                    <td className="reasons">
                      {i.reasons.map((r, n) => (
                        <div key={n} className={`reason reason-${r.kind}`}>
                          <span className="tag">{t(`collection.reason.${r.kind}`)}</span> {reasonText(r, t)}
                        </div>
                      ))}
                    </td>
                    <td data-testid="wl-assignee-cell">{i.assigneeName ?? i.assigneeId ?? ''}</td>
                    <td className="nowrap">
                      <button type="button" className="secondary" data-testid="wl-notice" onClick={() => open('notices', i.accountNo)}>{t('collection.ui.notice')}</button>{' '}
                      <button type="button" className="secondary" data-testid="wl-contacts" onClick={() => open('contacts', i.accountNo)}>{t('collection.ui.contacts')}</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div className="row pager">
            <button type="button" className="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>{t('collection.ui.prev')}</button>
            <span>{t('collection.ui.page', { from: view.total === 0 ? 0 : offset + 1, to: Math.min(offset + PAGE, view.total), total: view.total })}</span>
            <button type="button" className="secondary" disabled={offset + PAGE >= view.total} onClick={() => setOffset(offset + PAGE)}>{t('collection.ui.next')}</button>
          </div>
        </section>
      )}
    </div>
  );
}
