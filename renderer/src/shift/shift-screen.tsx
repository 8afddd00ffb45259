import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PrintOutcome, ShiftStatusView, ShiftView, WireError } from '../../../main/contract/index.js';
import { formatFen } from '../format';
import { formatDateTime } from '../format-time';
import type { Language } from '../i18n';
import { ReceiptPreview } from '../receipt-preview';
import { call, useErrorText } from '../rpc';
import { useTerminalTimeZone } from '../use-terminal-time-zone';
import { countsOf, DenominationGrid, type Counts } from './denomination-grid';
import './shift.css';

const CASH_IN = ['change_fund', 'float_top_up', 'other'] as const;
const CASH_OUT = ['bank_deposit', 'change_fund_return', 'refund', 'other'] as const;

/**
 * The clerk's drawer: open a shift with a counted float, cash in and out, the X report, the blind
 * count (expected appears only after it), the close with a supervisor's approval over the limit,
 * and the Z report — previewed from the same receipt model the printer prints.
 */
export function ShiftScreen() {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const timeZone = useTerminalTimeZone();
  const language = i18n.language as Language;
  const [status, setStatus] = useState<ShiftStatusView | null>(null);
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);
  const [closed, setClosed] = useState<(ShiftView & { report: PrintOutcome }) | null>(null);

  const load = useCallback(async () => {
    const r = await call('shift.current', {});
    if (r.ok) setStatus(r.result);
    else setError(r.error);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const run = async <T,>(work: () => Promise<{ ok: true; result: T } | { ok: false; error: WireError }>, done?: (r: T) => void) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    const r = await work();
    setBusy(false);
    if (!r.ok) return setError(r.error);
    done?.(r.result);
    await load();
  };

  if (!status) return <div className="card">{error ? errorText(error) : t('shift.ui.busy')}</div>;
  const shift = status.shift;
  const at = (iso: string) => formatDateTime(iso, timeZone ?? 'Asia/Shanghai', language);

  return (
    <div className="shift" data-testid="shift-screen">
      <h2>{t('shift.ui.title')}</h2>
      {error && <p className="error" role="alert" data-testid="shift-error">{errorText(error)}</p>}
      {closed ? (
        <ClosedPanel shift={closed} language={language} onDone={() => setClosed(null)} />
      ) : !shift ? (
        <OpenPanel status={status} busy={busy} onOpen={(float) => run(() => call('shift.open', { requestId: crypto.randomUUID(), float }))} />
      ) : (
        <>
          <p className="shift-head" data-testid="shift-head">
            {shift.state === 'open'
              ? t('shift.ui.openSince', { time: at(shift.openedAt), clerk: `${shift.operatorId} ${shift.operatorName}` })
              : t('shift.ui.counted', { time: at(shift.countedAt ?? shift.openedAt) })}
            {' · '}
            {t('shift.ui.floatIs', { float: formatFen(shift.floatFen) })}
          </p>
          {shift.state === 'open' ? (
            <div className="shift-grid">
              <MovementPanel busy={busy} onMove={(kind, amount, reason, note) => {
                const p = { requestId: crypto.randomUUID(), amount, ...(note ? { note } : {}) };
                return run(() => (kind === 'in'
                  ? call('shift.cashIn', { ...p, reason: reason as (typeof CASH_IN)[number] })
                  : call('shift.cashOut', { ...p, reason: reason as (typeof CASH_OUT)[number] })));
              }} />
              <CountPanel status={status} busy={busy} onCount={(counts) => run(() => call('shift.count', { counts }))} />
              <XReportPanel language={language} />
            </div>
          ) : (
            <ClosePanel shift={shift} limitFen={status.rules.differenceApprovalFen} busy={busy} language={language}
              onClose={(p) => run(() => call('shift.close', { ...p, receiptLocale: language }), setClosed)} />
          )}
        </>
      )}
    </div>
  );
}

function OpenPanel({ status, busy, onOpen }: { status: ShiftStatusView; busy: boolean; onOpen: (float: Record<string, number>) => void }) {
  const { t } = useTranslation();
  const [counts, setCounts] = useState<Counts>({});
  const parsed = countsOf(counts);
  return (
    <form className="card" onSubmit={(e) => { e.preventDefault(); if (parsed) onOpen(parsed); }} data-testid="open-shift">
      <p className="notice" data-testid="no-shift">{t('shift.ui.noShift')}</p>
      <h3>{t('shift.ui.floatTitle')}</h3>
      <DenominationGrid denominations={status.rules.denominations} counts={counts} onChange={setCounts} testId="float" />
      <button type="submit" disabled={busy || parsed === null} data-testid="open-submit">{t('shift.ui.open')}</button>
    </form>
  );
}

function MovementPanel({ busy, onMove }: { busy: boolean; onMove: (kind: 'in' | 'out', amount: string, reason: string, note: string) => Promise<void> }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<'in' | 'out'>('in');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState<string>(CASH_IN[0]);
  const [note, setNote] = useState('');
  const reasons = kind === 'in' ? CASH_IN : CASH_OUT;
  return (
    <form className="card" data-testid="movement" onSubmit={(e) => { e.preventDefault(); void onMove(kind, amount, reason, note).then(() => { setAmount(''); setNote(''); }); }}>
      <h3>{t('shift.ui.movementTitle')}</h3>
      <div className="row">
        <label>
          {t('shift.ui.kind')}
          <select data-testid="movement-kind" value={kind} onChange={(e) => { const k = e.target.value as 'in' | 'out'; setKind(k); setReason((k === 'in' ? CASH_IN : CASH_OUT)[0]); }}>
            <option value="in">{t('shift.ui.cashIn')}</option>
            <option value="out">{t('shift.ui.cashOut')}</option>
          </select>
        </label>
        <label>
          {t('shift.ui.reason')}
          <select data-testid="movement-reason" value={reason} onChange={(e) => setReason(e.target.value)}>
            {reasons.map((r) => <option key={r} value={r}>{t(kind === 'in' ? `shift.cashInReason.${r}` : `shift.cashOutReason.${r}`)}</option>)}
          </select>
        </label>
        <label>
          {t('shift.ui.amount')}
          <input data-testid="movement-amount" inputMode="decimal" autoComplete="off" value={amount} onChange={(e) => setAmount(e.target.value)} />
        </label>
        <label>
          {t('shift.ui.note')}
          <input data-testid="movement-note" autoComplete="off" maxLength={100} value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
      </div>
      <button type="submit" disabled={busy || amount.trim() === ''} data-testid="movement-submit">{kind === 'in' ? t('shift.ui.cashIn') : t('shift.ui.cashOut')}</button>
    </form>
  );
}

function XReportPanel({ language }: { language: Language }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [lines, setLines] = useState<readonly string[] | null>(null);
  const [printed, setPrinted] = useState<PrintOutcome | null>(null);
  const show = async () => {
    const r = await call('shift.report', { kind: 'x', receiptLocale: language });
    if (r.ok) setLines(r.result.lines);
  };
  const print = async () => {
    const r = await call('shift.printReport', { kind: 'x', receiptLocale: language });
    setPrinted(r.ok ? r.result : { printed: false, error: r.error });
  };
  return (
    <div className={lines ? 'card wide' : 'card'} data-testid="x-panel">
      <h3>{t('shift.ui.xTitle')}</h3>
      <div className="row">
        <button type="button" className="secondary" onClick={() => void show()} data-testid="x-show">{t('shift.ui.showX')}</button>
        <button type="button" className="secondary" onClick={() => void print()} data-testid="x-print">{t('shift.ui.printX')}</button>
      </div>
      {printed && (
        <p className={printed.printed ? 'ok' : 'warning'} data-testid="x-printed">
          {printed.printed ? t('shift.ui.printed') : t('shift.ui.printFailed', { reason: printed.error ? errorText(printed.error) : '' })}
        </p>
      )}
      {lines && <ReceiptPreview lines={lines} testId="x-report" />}
    </div>
  );
}

function CountPanel({ status, busy, onCount }: { status: ShiftStatusView; busy: boolean; onCount: (counts: Record<string, number>) => void }) {
  const { t } = useTranslation();
  const [counts, setCounts] = useState<Counts>({});
  const parsed = countsOf(counts);
  return (
    <form className="card count" onSubmit={(e) => { e.preventDefault(); if (parsed) onCount(parsed); }} data-testid="count">
      <h3>{t('shift.ui.countTitle')}</h3>
      <p className="hint">{t('shift.ui.countHint')}</p>
      <DenominationGrid denominations={status.rules.denominations} counts={counts} onChange={setCounts} testId="blind" />
      <button type="submit" disabled={busy || parsed === null} data-testid="count-submit">{t('shift.ui.submitCount')}</button>
    </form>
  );
}

function ClosePanel({ shift, limitFen, busy, onClose }: {
  shift: ShiftView; limitFen: number; busy: boolean; language: Language;
  onClose: (p: { reason?: string; supervisorId?: string; supervisorPin?: string }) => void;
}) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const [supervisorId, setSupervisorId] = useState('');
  const [supervisorPin, setSupervisorPin] = useState('');
  const d = shift.differenceFen ?? 0;
  const needs = shift.approvalRequired === true;
  return (
    <form className="card close" data-testid="close" onSubmit={(e) => {
      e.preventDefault();
      onClose({ ...(reason.trim() ? { reason: reason.trim() } : {}), ...(needs ? { supervisorId, supervisorPin } : {}) });
    }}>
      <dl className="facts drawer-result">
        <dt>{t('shift.ui.expected')}</dt>
        <dd data-testid="expected">{formatFen(shift.expectedFen ?? 0)}</dd>
        <dt>{t('shift.ui.countedFen')}</dt>
        <dd data-testid="counted">{formatFen(shift.countedFen ?? 0)}</dd>
        <dt>{t('shift.ui.difference')}</dt>
        <dd data-testid="difference" className={d === 0 ? 'ok' : 'late'}>
          {d === 0 ? t('shift.ui.balanced') : d < 0 ? t('shift.ui.short', { amount: formatFen(-d) }) : t('shift.ui.over', { amount: formatFen(d) })}
        </dd>
      </dl>
      {needs && <p className="notice" data-testid="approval-needed">{t('shift.ui.approvalNeeded', { limit: formatFen(limitFen) })}</p>}
      <div className="row">
        <label>
          {t('shift.ui.closeReason')}
          <input data-testid="close-reason" autoComplete="off" maxLength={200} value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        {needs && (
          <>
            <label>
              {t('shift.ui.supervisorId')}
              <input data-testid="supervisor-id" autoComplete="off" value={supervisorId} onChange={(e) => setSupervisorId(e.target.value)} />
            </label>
            <label>
              {t('shift.ui.supervisorPin')}
              <input data-testid="supervisor-pin" type="password" inputMode="numeric" autoComplete="off" value={supervisorPin} onChange={(e) => setSupervisorPin(e.target.value)} />
            </label>
          </>
        )}
      </div>
      <button type="submit" disabled={busy || (needs && (reason.trim() === '' || supervisorId.trim() === '' || supervisorPin === ''))} data-testid="close-submit">
        {t('shift.ui.close')}
      </button>
    </form>
  );
}

function ClosedPanel({ shift, language, onDone }: { shift: ShiftView & { report: PrintOutcome }; language: Language; onDone: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [lines, setLines] = useState<readonly string[] | null>(null);
  const [printed, setPrinted] = useState<PrintOutcome>(shift.report);
  const shiftId = shift.shiftId;
  const params = useMemo(() => ({ kind: 'z' as const, shiftId, receiptLocale: language }), [shiftId, language]);
  useEffect(() => {
    let alive = true;
    void call('shift.report', params).then((r) => alive && r.ok && setLines(r.result.lines));
    return () => {
      alive = false;
    };
  }, [params]);
  return (
    <div className="card" data-testid="closed">
      <h3 data-testid="closed-title">{t('shift.ui.closed', { no: shift.zNo ?? '' })}</h3>
      <p className={printed.printed ? 'ok' : 'warning'} data-testid="z-printed">
        {printed.printed ? t('shift.ui.printed') : t('shift.ui.printFailed', { reason: printed.error ? errorText(printed.error) : '' })}
      </p>
      <div className="row">
        <button type="button" className="secondary" data-testid="z-print" onClick={() => void call('shift.printReport', params).then((r) => setPrinted(r.ok ? r.result : { printed: false, error: r.error }))}>
          {t('shift.ui.printZ')}
        </button>
        <button type="button" onClick={onDone} data-testid="closed-done">{t('shift.ui.done')}</button>
      </div>
      {lines && <ReceiptPreview lines={lines} testId="z-report" />}
    </div>
  );
}
