import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ScanView, TestCardReadView, WireError } from '../../../main/contract/index.js';
import { formatFen } from '../format';
import type { Language } from '../i18n';
import { call, useErrorText } from '../rpc';
import { ReceiptPreview } from '../receipt-preview';

function ErrorLine({ error, testId }: { readonly error: WireError | null; readonly testId: string }) {
  const errorText = useErrorText();
  return error ? <p className="error" role="alert" data-testid={testId}>{errorText(error)}</p> : null;
}

export function TestPrintPanel() {
  const { t, i18n } = useTranslation();
  const [locale, setLocale] = useState<Language>(i18n.language === 'en' ? 'en' : 'zh-CN');
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<readonly string[] | null>(null);
  const [error, setError] = useState<WireError | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    setPreview(null);
    const r = await call('devices.testPrint', { receiptLocale: locale });
    setBusy(false);
    if (r.ok) setPreview(r.result.preview);
    else setError(r.error);
  };
  return (
    <section className="card test-panel" data-testid="test-print">
      <h3>{t('diagnostics.testPrint.title')}</h3>
      <div className="row">
        <label>
          {t('diagnostics.testPrint.locale')}
          <select value={locale} onChange={(e) => setLocale(e.target.value as Language)} data-testid="test-print-locale">
            <option value="zh-CN">中文</option>
            <option value="en">English</option>
          </select>
        </label>
        <button type="button" disabled={busy} onClick={() => void run()} data-testid="test-print-button">
          {t('diagnostics.testPrint.button')}
        </button>
      </div>
      <ErrorLine error={error} testId="test-print-error" />
      {preview && (
        <>
          <p className="ok" data-testid="test-print-done">{t('diagnostics.testPrint.done')}</p>
          <details>
            <summary>{t('diagnostics.testPrint.preview')}</summary>
            <ReceiptPreview lines={preview} testId="test-print-preview" />
          </details>
        </>
      )}
    </section>
  );
}

export function TestCardReadPanel() {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [card, setCard] = useState<TestCardReadView | null>(null);
  const [error, setError] = useState<WireError | null>(null);
  const yesNo = (b: boolean) => t(b ? 'diagnostics.testCardRead.yes' : 'diagnostics.testCardRead.no');
  const run = async () => {
    setBusy(true);
    setError(null);
    setCard(null);
    const r = await call('devices.testCardRead', {});
    setBusy(false);
    if (r.ok) setCard(r.result);
    else setError(r.error);
  };
  const f = (k: string) => t(`diagnostics.testCardRead.field.${k}`);
  return (
    <section className="card test-panel" data-testid="test-card">
      <h3>{t('diagnostics.testCardRead.title')}</h3>
      <button type="button" disabled={busy} onClick={() => void run()} data-testid="test-card-button">
        {t('diagnostics.testCardRead.button')}
      </button>
      <ErrorLine error={error} testId="test-card-error" />
      {card && (
        <dl className="facts" data-testid="test-card-result">
          <dt>{f('cardSerial')}</dt>
          <dd data-testid="card-serial">{card.cardSerial}</dd>
          <dt>{f('cardType')}</dt>
          <dd>{t(`diagnostics.testCardRead.cardType.${card.cardType}`)}</dd>
          <dt>{f('format')}</dt>
          <dd>{card.format}</dd>
          <dt>{f('accountNo')}</dt>
          <dd data-testid="card-account">{card.accountNo}</dd>
          <dt>{f('meterNo')}</dt>
          <dd data-testid="card-meter">{card.meterNo}</dd>
          <dt>{f('generation')}</dt>
          <dd>{card.generation}</dd>
          <dt>{f('purchaseCounter')}</dt>
          <dd data-testid="card-counter">{card.purchaseCounter ?? '—'}</dd>
          <dt>{f('lastPurchase')}</dt>
          <dd>{card.lastPurchaseFen === null ? '—' : formatFen(card.lastPurchaseFen)}</dd>
          <dt>{f('greyLocked')}</dt>
          <dd data-testid="card-grey-locked" className={card.greyLocked ? 'warning' : undefined}>
            {yesNo(card.greyLocked)}
            {card.greyLocked && card.pendingCounter !== null && ` (${f('pendingCounter')} ${card.pendingCounter})`}
          </dd>
          <dt>{f('previousLoaded')}</dt>
          <dd>{yesNo(card.previousLoaded)}</dd>
          <dt>{f('meterRemaining')}</dt>
          <dd>{formatFen(card.meterRemainingCreditFen)}</dd>
        </dl>
      )}
    </section>
  );
}

const SCAN_TIMEOUT_MS = 15_000;

export function TestScanPanel() {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [scan, setScan] = useState<ScanView | null>(null);
  const [error, setError] = useState<WireError | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    setScan(null);
    const r = await call('devices.testScan', { timeoutMs: SCAN_TIMEOUT_MS });
    setBusy(false);
    if (r.ok) setScan(r.result);
    else setError(r.error);
  };
  return (
    <section className="card test-panel" data-testid="test-scan">
      <h3>{t('diagnostics.testScan.title')}</h3>
      <button type="button" disabled={busy} onClick={() => void run()} data-testid="test-scan-button">
        {t('diagnostics.testScan.button')}
      </button>
      {busy && <p className="warning" data-testid="test-scan-waiting">{t('diagnostics.testScan.waiting', { seconds: SCAN_TIMEOUT_MS / 1000 })}</p>}
      <ErrorLine error={error} testId="test-scan-error" />
      {scan && (
        <>
          <p className="ok">{t('diagnostics.testScan.done')}</p>
          <dl className="facts" data-testid="test-scan-result">
            <dt>{t('diagnostics.testScan.field.data')}</dt>
            <dd data-testid="scan-data" className="scan-data">{scan.data}</dd>
            <dt>{t('diagnostics.testScan.field.symbology')}</dt>
            <dd>{scan.symbology ?? t('diagnostics.testScan.unknownSymbology')}</dd>
            <dt>{t('diagnostics.testScan.field.source')}</dt>
            <dd>{t(`diagnostics.testScan.source.${scan.source}`)}</dd>
            <dt>{t('diagnostics.testScan.field.device')}</dt>
            <dd>{scan.deviceId}</dd>
          </dl>
        </>
      )}
    </section>
  );
}
