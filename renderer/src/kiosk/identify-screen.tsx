/**
 * Identify the account: insert the prepaid card (read as soon as it is in the reader, or on the
 * button), scan the bill's barcode (any time on this screen), or key the account or meter number.
 * Exact matches only; nothing is searched by name or phone.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { KioskStatusView, KioskVisitView, WireError } from '../../../main/contract/index.js';
import { bridge } from '../bridge';
import { useErrorText } from '../rpc';
import { useScans } from '../use-scans';
import { BarcodeIcon, CardIcon } from './icons';
import { Keypad } from './keypad';
import { kcall } from './kiosk-calls';

export function IdentifyScreen({ visitId, status, onIdentified }: { readonly visitId: string; readonly status: KioskStatusView | null; readonly onIdentified: (v: KioskVisitView) => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [number, setNumber] = useState('');
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);
  const busyRef = useRef(false);
  const canCard = status?.identify.card ?? true;
  const canScan = status?.identify.barcode ?? true;

  const identify = async (by: 'card' | 'barcode' | 'number', value?: string) => {
    if (busyRef.current) return;
    busyRef.current = true;
    setBusy(true);
    setError(null);
    const r = await kcall('kiosk.identify', value === undefined ? { visitId, by } : { visitId, by, value });
    busyRef.current = false;
    setBusy(false);
    if (r.ok) onIdentified(r.result);
    else setError(r.error);
  };
  const identifyRef = useRef(identify);
  identifyRef.current = identify;

  // A card put into the reader identifies at once.
  useEffect(() => {
    if (!canCard) return undefined;
    return bridge.subscribe('card.inserted', () => void identifyRef.current('card'));
  }, [canCard]);
  useScans((data) => {
    if (canScan) void identifyRef.current('barcode', data.trim());
  });

  return (
    <div className="k-identify">
      <div className="k-identify-ways">
        <section className={canCard ? 'k-way' : 'k-way off'} data-testid="identify-card">
          <CardIcon />
          <div className="k-way-text">
            <h2>{t('kiosk.identify.card')}</h2>
            <p className="k-muted">{canCard ? t('kiosk.identify.cardHint') : t('kiosk.identify.cardUnavailable')}</p>
          </div>
          {canCard && (
            <button type="button" className="k-secondary" onClick={() => void identify('card')} disabled={busy} data-testid="identify-card-read">
              {t('kiosk.identify.cardRead')}
            </button>
          )}
        </section>
        {canScan && (
          <section className="k-way" data-testid="identify-scan">
            <BarcodeIcon />
            <div className="k-way-text">
              <h2>{t('kiosk.identify.scan')}</h2>
              <p className="k-muted">{t('kiosk.identify.scanHint')}</p>
            </div>
          </section>
        )}
        {busy && (
          <p className="k-lead" role="status" data-testid="identify-busy">
            {t('kiosk.identify.reading')}
          </p>
        )}
        {error && (
          <p className="k-error" role="alert" data-testid="identify-error">
            {errorText(error)}
          </p>
        )}
      </div>
      <Keypad
        value={number}
        onChange={(v) => {
          setNumber(v);
          setError(null);
        }}
        label={t('kiosk.identify.numberLabel')}
        placeholder={t('kiosk.identify.numberHint')}
        maxLength={20}
        onSubmit={() => void identify('number', number)}
        submitLabel={t('kiosk.identify.find')}
        submitDisabled={busy || number.length < 10}
        testId="number-keypad"
      />
    </div>
  );
}

export function VerifyScreen({ visit, onVerified }: { readonly visit: KioskVisitView; readonly onVerified: (v: KioskVisitView) => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [digits, setDigits] = useState('');
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    const r = await kcall('kiosk.verify', { visitId: visit.visitId, phoneLast4: digits });
    setBusy(false);
    setDigits('');
    if (r.ok) onVerified(r.result);
    else setError(r.error);
  };
  const locked = error?.code === 'kiosk.verify_locked' || visit.verifyAttemptsLeft === 0;
  return (
    <div className="k-verify">
      <p className="k-lead">{t('kiosk.verify.hint')}</p>
      {error && (
        <p className="k-error" role="alert" data-testid="verify-error">
          {errorText(error)}
        </p>
      )}
      {!locked && (
        <Keypad
          value={digits}
          onChange={setDigits}
          label={t('kiosk.verify.label')}
          maxLength={4}
          onSubmit={() => void submit()}
          submitLabel={t('kiosk.verify.submit')}
          submitDisabled={busy || digits.length !== 4}
          testId="verify-keypad"
        />
      )}
    </div>
  );
}
