import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountView, VendPreviewView, VendView, WireError } from '../../../main/contract/index.js';
import { call, useErrorText } from '../rpc';
import { fenToYuanText, formatFen } from '../format';
import type { Language } from '../i18n';
import { PrinterHealthBanner, useDeviceHealth } from '../devices';
import { CardPanel, CardWriteProgress } from './card-panel';
import { SplitTable } from './split-table';
import { VendResult } from './vend-result';
import './vending.css';
import { formatDateTime } from '../format-time';
import { useTerminalTimeZone } from '../use-terminal-time-zone';

type Mode = 'money' | 'energy';

/** Prepaid top-up at the counter: find the meter, enter money or energy, see the split, pay, deliver. */
export function TopUpScreen() {
  const { t, i18n } = useTranslation();
  const timeZone = useTerminalTimeZone();
  const errorText = useErrorText();
  const [query, setQuery] = useState('');
  const [account, setAccount] = useState<AccountView | null>(null);
  const [meterNo, setMeterNo] = useState('');
  const [mode, setMode] = useState<Mode>('money');
  const [value, setValue] = useState('');
  const [method, setMethod] = useState<'cash' | 'qr'>('cash');
  const [tendered, setTendered] = useState('');
  const [authCode, setAuthCode] = useState('');
  const [preview, setPreview] = useState<VendPreviewView | null>(null);
  const [vend, setVend] = useState<VendView | null>(null);
  const [requestId, setRequestId] = useState(() => crypto.randomUUID());
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);
  const [cardReady, setCardReady] = useState(false);
  const [writingStep, setWritingStep] = useState<string | null | undefined>(undefined);
  const [onScreenChoice, setOnScreenChoice] = useState<boolean | null>(null);
  const health = useDeviceHealth();
  const polling = useRef<ReturnType<typeof setInterval> | null>(null);

  const vendable = account?.meters.filter((m) => m.kind === 'sts' || m.kind === 'card') ?? [];
  const isCard = vendable.find((m) => m.meterNo === meterNo)?.kind === 'card';
  const printerDown = health !== null && health.printer.configured && health.printer.fault !== null;
  // No paper / printer fault: the token goes on screen unless the clerk chooses otherwise.
  const onScreen = onScreenChoice ?? printerDown;
  const noCardWriter = isCard && health !== null && !(health.cardWriter.configured && health.cardWriter.available);
  const onCardReady = useCallback((ready: boolean) => setCardReady(ready), []);
  useEffect(() => () => {
    if (polling.current) clearInterval(polling.current);
  }, []);

  const find = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setPreview(null);
    setVend(null);
    setBusy(true);
    let accountNo = query.trim();
    if (!/^\d{10}$/.test(accountNo)) {
      const s = await call('account.search', { q: accountNo });
      const first = s.ok ? s.result.items[0] : undefined;
      if (!s.ok || !first) {
        setBusy(false);
        setAccount(null);
        return setError(s.ok ? { code: 'account.not_found', i18nKey: 'errors.account.not_found', details: { accountNo } } : s.error);
      }
      accountNo = first.accountNo;
    }
    const r = await call('account.lookup', { accountNo });
    setBusy(false);
    if (!r.ok) {
      setAccount(null);
      return setError(r.error);
    }
    setAccount(r.result);
    const wanted = r.result.meters.find((m) => m.meterNo === query.trim()) ?? r.result.meters.find((m) => m.kind === 'sts' || m.kind === 'card');
    setMeterNo(wanted?.meterNo ?? '');
  };

  const showSplit = async (e: FormEvent) => {
    e.preventDefault();
    if (!account) return;
    setError(null);
    setBusy(true);
    const r = await call('vend.preview', {
      accountNo: account.accountNo,
      ...(meterNo ? { meterNo } : {}),
      method,
      ...(mode === 'money' ? { amount: value } : { energyKwh: value }),
    });
    setBusy(false);
    if (!r.ok) {
      setPreview(null);
      return setError(r.error);
    }
    setPreview(r.result);
    setRequestId(crypto.randomUUID());
  };

  const pay = async () => {
    if (!account || !preview) return;
    setError(null);
    setBusy(true);
    const card = preview.meterKind === 'card';
    if (card) {
      // Write progress: the vend's journaled card steps, read while the purchase runs.
      setWritingStep(null);
      const accountNo = account.accountNo;
      polling.current = setInterval(() => {
        void call('vend.list', { accountNo, limit: 1 }).then((l) => {
          const v = l.ok ? l.result.items[0] : undefined;
          if (v && v.requestId === requestId) setWritingStep(v.card?.lastStep ?? null);
        });
      }, 150);
    }
    const r = await call('vend.purchase', {
      requestId,
      accountNo: account.accountNo,
      meterNo: preview.meterNo,
      method,
      amount: fenToYuanText(preview.amountFen),
      ...(method === 'cash' && tendered.trim() ? { tendered } : {}),
      ...(method === 'qr' ? { authCode: authCode.trim() } : {}),
      delivery: !card && onScreen ? 'screen' : 'print',
      receiptLocale: i18n.language as Language,
      // The split the customer saw: the core refuses (vending.split_changed) if it changed meanwhile.
      splitDigest: preview.splitDigest,
    });
    if (polling.current) clearInterval(polling.current);
    polling.current = null;
    setWritingStep(undefined);
    setBusy(false);
    if (!r.ok) return setError(r.error);
    setVend(r.result);
  };

  const next = () => {
    setQuery('');
    setAccount(null);
    setPreview(null);
    setVend(null);
    setValue('');
    setTendered('');
    setAuthCode('');
    setError(null);
    setOnScreenChoice(null);
    setRequestId(crypto.randomUUID());
  };

  return (
    <div data-testid="topup">
    <PrinterHealthBanner showCardWriter />
    <div className="vend-desk">
      <div>
        <form className="card vend-form" onSubmit={(e) => void find(e)}>
          <h2>{t('vending.topup.title')}</h2>
          <label>
            {t('vending.topup.find')}
            <input data-testid="topup-query" value={query} onChange={(e) => setQuery(e.target.value)} autoComplete="off" autoFocus />
          </label>
          <button type="submit" disabled={busy || !query.trim()} data-testid="topup-find">
            {t('vending.topup.findButton')}
          </button>
        </form>
        {account && !vend && (
          <form className="card vend-form" onSubmit={(e) => void showSplit(e)}>
            <strong data-testid="topup-account">
              {account.accountNo} {account.name}
            </strong>
            {account.source === 'cache' && <span className="warning">{t('vending.topup.dataAsOf', { time: timeZone ? formatDateTime(account.asOf, timeZone, i18n.language) : account.asOf })}</span>}
            {vendable.length === 0 ? (
              <p className="error">{t('vending.topup.noMeters')}</p>
            ) : (
              <label>
                {t('vending.topup.meter')}
                <select data-testid="topup-meter" value={meterNo} onChange={(e) => setMeterNo(e.target.value)}>
                  {vendable.map((m) => (
                    <option key={m.meterNo} value={m.meterNo}>
                      {m.meterNo} ({m.kind.toUpperCase()})
                    </option>
                  ))}
                </select>
              </label>
            )}
            <div className="vend-modes">
              <button type="button" className={mode === 'money' ? '' : 'off'} onClick={() => setMode('money')} data-testid="mode-money">
                {t('vending.topup.modeMoney')}
              </button>
              <button type="button" className={mode === 'energy' ? '' : 'off'} onClick={() => setMode('energy')} data-testid="mode-energy">
                {t('vending.topup.modeEnergy')}
              </button>
            </div>
            <label>
              {mode === 'money' ? t('vending.topup.amount') : t('vending.topup.energy')}
              <input data-testid="topup-value" value={value} onChange={(e) => setValue(e.target.value)} inputMode="decimal" autoComplete="off" />
            </label>
            <label>
              {t('vending.topup.method')}
              <select data-testid="topup-method" value={method} onChange={(e) => setMethod(e.target.value as 'cash' | 'qr')}>
                <option value="cash">{t('vending.method.cash')}</option>
                <option value="qr">{t('vending.method.qr')}</option>
              </select>
            </label>
            <button type="submit" disabled={busy || !value.trim() || vendable.length === 0 || noCardWriter} data-testid="topup-preview">
              {t('vending.topup.preview')}
            </button>
          </form>
        )}
        {account && !vend && isCard && noCardWriter && (
          <p className="card error" data-testid="card-no-writer">
            {t('vending.card.noWriter')}
          </p>
        )}
        {account && !vend && isCard && !noCardWriter && <CardPanel accountNo={account.accountNo} meterNo={meterNo} onReady={onCardReady} />}
      </div>
      <div>
        {error && (
          <p className="card error" data-testid="topup-error">
            {errorText(error)}
          </p>
        )}
        {preview && !vend && (
          <div className="card">
            <h2>{t('vending.topup.split', { amount: formatFen(preview.amountFen) })}</h2>
            <SplitTable split={preview} />
            <p hidden={preview.meterKind === 'card'}>
              {t('vending.topup.issuer')}: {preview.issuer === 'online' ? t('vending.topup.issuerOnline') : t('vending.topup.issuerLocal')}
              {preview.issuer === 'local' && ` · ${t('vending.topup.offlineLeft', { amount: formatFen(preview.offlineAvailableFen) })}`}
            </p>
            <div className="row">
              {method === 'cash' ? (
                <label>
                  {t('vending.topup.tendered')}
                  <input data-testid="topup-tendered" value={tendered} onChange={(e) => setTendered(e.target.value)} inputMode="decimal" placeholder={fenToYuanText(preview.amountFen)} />
                </label>
              ) : (
                <label>
                  {t('vending.topup.authCode')}
                  <input data-testid="topup-authcode" value={authCode} onChange={(e) => setAuthCode(e.target.value)} inputMode="numeric" />
                </label>
              )}
              <button
                type="button"
                onClick={() => void pay()}
                disabled={busy || (preview.meterKind === 'card' && (!cardReady || noCardWriter))}
                data-testid="topup-pay"
              >
                {busy ? t('vending.topup.paying') : preview.meterKind === 'card' ? t('vending.topup.payCard') : t('vending.topup.pay')}
              </button>
            </div>
            {preview.meterKind !== 'card' && printerDown && (
              <label className="check-row">
                <input type="checkbox" checked={onScreen} onChange={(e) => setOnScreenChoice(e.target.checked)} data-testid="topup-onscreen" />
                {t('vending.topup.deliverOnScreen')}
              </label>
            )}
            {preview.meterKind === 'card' && !cardReady && <p className="warning" data-testid="card-not-ready">{t('vending.card.notReady')}</p>}
            {writingStep !== undefined && <CardWriteProgress lastStep={writingStep} />}
          </div>
        )}
        {vend && <VendResult vend={vend} onChange={setVend} onNext={next} />}
      </div>
    </div>
    </div>
  );
}
