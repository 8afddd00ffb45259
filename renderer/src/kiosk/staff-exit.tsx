/**
 * The staff exit on the kiosk's screen (docs/kiosk.md "Staff exit", docs/kiosk-ui.md). The way in
 * is hidden from customers but documented: five taps within four seconds in the top-left corner
 * of the attract or out-of-service screen. Staff insert their badge (read as soon as it is in the
 * reader: the core checks its MAC and names the operator) or key their ID, then the PIN; the core
 * checks it once (the shared lockout) and journals the exit either way. Then diagnostics (devices, test
 * print) and supplies (paper loaded; the kiosk is cash-free) until they go back to the customer
 * screens or the screen idles out — both sign the session back to the kiosk.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeviceHealthView, KioskStaffCardView, OperatorView, WireError } from '../../../main/contract/index.js';
import { bridge } from '../bridge';
import { DeviceTable } from '../devices/device-table';
import { TestPrintPanel } from '../devices/test-panels';
import { useDeviceHealth, useDeviceList } from '../devices/use-devices';
import { call, useErrorText } from '../rpc';
import { CardIcon } from './icons';
import { Keypad } from './keypad';
import '../devices/diagnostics.css';

export const STAFF_TAPS = 5;
export const STAFF_TAP_WINDOW_MS = 4_000;

/** The hidden way in: a corner that counts taps. Not a control for customers, so not announced. */
export function StaffCorner({ onOpen }: { readonly onOpen: () => void }) {
  const taps = useRef<number[]>([]);
  return (
    <div
      className="k-staff-corner"
      data-testid="staff-corner"
      aria-hidden="true"
      onPointerDown={() => {
        const now = Date.now();
        taps.current = [...taps.current.filter((at) => now - at < STAFF_TAP_WINDOW_MS), now];
        if (taps.current.length >= STAFF_TAPS) {
          taps.current = [];
          onOpen();
        }
      }}
    />
  );
}

const ID_KEYS = [...'1234567890ABCDEFGHIJKLMNOPQRSTUVWXYZ'];
const ID_MAX = 16;

/** Operator IDs have letters (S001), so the ID has its own keys; the PIN uses the digit keypad. */
function StaffIdKeys({ value, onChange, onSubmit }: { readonly value: string; readonly onChange: (v: string) => void; readonly onSubmit: () => void }) {
  const { t } = useTranslation();
  const add = (k: string) => onChange(value.length >= ID_MAX ? value : value + k);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const k = e.key.toUpperCase();
      if (/^[0-9A-Z]$/.test(k)) onChange(value.length >= ID_MAX ? value : value + k);
      else if (e.key === 'Backspace') onChange(value.slice(0, -1));
      else if (e.key === 'Enter' && value !== '' && (e.target as HTMLElement | null)?.tagName !== 'BUTTON') onSubmit();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [value, onChange, onSubmit]);
  return (
    <div className="k-keypad k-staff-id" data-testid="staff-id" role="group" aria-labelledby="staff-id-label">
      <div className="k-keypad-display">
        <span id="staff-id-label" className="k-keypad-label">
          {t('kiosk.staff.operatorId')}
        </span>
        <output className="k-keypad-value" data-testid="staff-id-value" aria-live="polite">
          {value === '' ? <span className="k-placeholder">{'\u00a0'}</span> : value}
        </output>
      </div>
      <div className="k-staff-keys">
        {ID_KEYS.map((k) => (
          <button type="button" key={k} className="k-key k-staff-key" onClick={() => add(k)} data-testid={`staff-id-${k}`}>
            {k}
          </button>
        ))}
        <button type="button" className="k-key k-key-fn k-staff-key" onClick={() => onChange('')} data-testid="staff-id-clear">
          {t('kiosk.keypad.clear')}
        </button>
        <button type="button" className="k-key k-key-fn k-staff-key" onClick={() => onChange(value.slice(0, -1))} data-testid="staff-id-del" aria-label={t('kiosk.keypad.delete')}>
          ⌫
        </button>
      </div>
      <button type="button" className="k-primary k-keypad-ok" onClick={onSubmit} disabled={value === ''} data-testid="staff-id-ok">
        {t('kiosk.common.next')}
      </button>
    </div>
  );
}

/** The badge way in: a badge put into the reader is read at once, or on the button. */
function StaffBadgePanel({ busy, onRead }: { readonly busy: boolean; readonly onRead: () => void }) {
  const { t } = useTranslation();
  return (
    <section className="k-staff-badge" data-testid="staff-badge" aria-labelledby="staff-badge-title">
      <CardIcon />
      <div>
        <h2 id="staff-badge-title">{t('kiosk.staff.badgeTitle')}</h2>
        <p className="k-muted">{t('kiosk.staff.badgeHint')}</p>
      </div>
      <button type="button" className="k-secondary" onClick={onRead} disabled={busy} data-testid="staff-badge-read">
        {t('kiosk.staff.badgeRead')}
      </button>
    </section>
  );
}

/**
 * Badge or ID, then PIN; a refusal (a card that is no good badge, wrong PIN, locked, a role that may
 * not) is said and the PIN cleared. After a badge the PIN goes with `via: 'card'` and no ID: the core
 * holds the badge's operator.
 */
export function StaffSignIn({ onSignedIn }: { readonly onSignedIn: (op: OperatorView) => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [stage, setStage] = useState<'id' | 'pin'>('id');
  const [operatorId, setOperatorId] = useState('');
  const [badge, setBadge] = useState<KioskStaffCardView | null>(null);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);
  const busyRef = useRef(false);
  const readBadge = async () => {
    if (busyRef.current) return;
    busyRef.current = true;
    setBusy(true);
    setError(null);
    const r = await call('kiosk.staffCard', {});
    busyRef.current = false;
    setBusy(false);
    setPin('');
    if (r.ok) {
      setBadge(r.result);
      setStage('pin');
    } else {
      setBadge(null);
      setStage('id');
      setError(r.error);
    }
  };
  const readRef = useRef(readBadge);
  readRef.current = readBadge;
  useEffect(() => bridge.subscribe('card.inserted', () => void readRef.current()), []);
  const submit = async () => {
    setBusy(true);
    const r = await call('kiosk.staffExit', badge ? { via: 'card', pin } : { operatorId, pin, via: 'keypad' });
    setBusy(false);
    setPin('');
    if (r.ok) onSignedIn(r.result);
    else {
      setError(r.error);
      // The badge's time ran out while the PIN was keyed: back to the badge.
      if (r.error.code === 'kiosk.staff_card_required') {
        setBadge(null);
        setStage('id');
      }
    }
  };
  const alert = error && (
    <p className="k-error" role="alert" data-testid="staff-error">
      {errorText(error)}
    </p>
  );
  return (
    <div className="k-staff-signin" data-testid="staff-signin">
      {stage === 'id' ? (
        <div className="k-staff-pin k-staff-idstage">
          <div className="k-staff-pin-side">
            <p className="k-lead">{t('kiosk.staff.signInLead')}</p>
            {alert}
            <StaffBadgePanel busy={busy} onRead={() => void readBadge()} />
          </div>
          <StaffIdKeys
            value={operatorId}
            onChange={setOperatorId}
            onSubmit={() => {
              setError(null);
              setBadge(null);
              setStage('pin');
            }}
          />
        </div>
      ) : (
        <div className="k-staff-pin">
          <div className="k-staff-pin-side">
            <p className="k-lead" data-testid="staff-pin-for" data-via={badge ? 'card' : 'keypad'}>
              {badge ? t('kiosk.staff.pinForBadge', { operatorId: badge.operatorId }) : t('kiosk.staff.pinFor', { operatorId })}
            </p>
            {alert}
            <button
              type="button"
              className="k-secondary"
              onClick={() => {
                setBadge(null);
                setStage('id');
              }}
              data-testid="staff-change-id"
            >
              {t(badge ? 'kiosk.staff.notMe' : 'kiosk.staff.changeId')}
            </button>
          </div>
          <Keypad
            value={pin}
            onChange={setPin}
            onSubmit={() => void submit()}
            label={t('kiosk.staff.pin')}
            maxLength={12}
            mask
            submitLabel={t('kiosk.staff.signIn')}
            submitDisabled={busy}
            testId="staff-pin"
          />
        </div>
      )}
    </div>
  );
}

function paperState(h: DeviceHealthView | null): 'unknown' | 'ok' | 'low' | 'out' | 'fault' {
  if (!h || !h.printer.configured) return 'unknown';
  if (h.printer.fault === 'printer.paper_out') return 'out';
  if (h.printer.fault !== null) return 'fault';
  if (h.printer.status === null) return 'unknown';
  return h.printer.paperNearEnd ? 'low' : 'ok';
}

/** Diagnostics and supplies for the staff member signed in through the exit. */
export function StaffScreen({ operator, onExit }: { readonly operator: OperatorView; readonly onExit: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { devices, refresh } = useDeviceList();
  const health = useDeviceHealth();
  const [checking, setChecking] = useState(false);
  const [supplies, setSupplies] = useState<{ readonly kind: 'recorded'; readonly stillOut: boolean } | { readonly kind: 'error'; readonly error: WireError } | null>(null);
  const [busy, setBusy] = useState(false);
  const paper = paperState(health);
  const fault = health?.printer.fault ?? null;

  const check = async () => {
    setChecking(true);
    await refresh();
    setChecking(false);
  };
  const paperLoaded = async () => {
    setBusy(true);
    const r = await call('kiosk.supplies', { paperLoaded: true });
    if (r.ok) {
      // The core probed the printer again: say whether it now has paper.
      const h = await call('devices.health', {});
      setSupplies({ kind: 'recorded', stillOut: !h.ok || h.result.printer.fault !== null });
      await refresh();
    } else setSupplies({ kind: 'error', error: r.error });
    setBusy(false);
  };

  return (
    <div className="k-staff" data-testid="staff-screen">
      <div className="k-staff-top">
        <p className="k-lead" data-testid="staff-who">
          {t('kiosk.staff.signedInAs', { name: operator.name, operatorId: operator.operatorId, role: t(`kiosk.staff.role.${operator.role}`, { defaultValue: operator.role }) })}
        </p>
        <button type="button" className="k-primary" onClick={onExit} data-testid="staff-exit-back">
          {t('kiosk.staff.back')}
        </button>
      </div>
      <div className="k-staff-grid">
        <section className="k-panel k-staff-devices" aria-labelledby="staff-devices">
          <div className="k-staff-head">
            <h2 id="staff-devices">{t('kiosk.staff.devices')}</h2>
            <button type="button" className="k-secondary" disabled={checking} onClick={() => void check()} data-testid="staff-devices-check">
              {t('diagnostics.refresh')}
            </button>
          </div>
          <DeviceTable devices={devices} />
        </section>
        <div className="k-staff-side">
          <section className="k-panel" aria-labelledby="staff-supplies" data-testid="staff-supplies">
            <h2 id="staff-supplies">{t('kiosk.staff.supplies')}</h2>
            <p data-testid="staff-paper" data-paper={paper}>
              {t(`kiosk.staff.paper.${paper}`)}
              {fault && <span className="k-muted"> — {errorText({ code: fault, i18nKey: `errors.${fault}`, details: { device: t('diagnostics.kind.printer') } })}</span>}
            </p>
            <button type="button" className="k-primary" disabled={busy} onClick={() => void paperLoaded()} data-testid="staff-paper-loaded">
              {t('kiosk.staff.paperLoaded')}
            </button>
            {supplies?.kind === 'recorded' && (
              <p className={supplies.stillOut ? 'k-error' : 'k-staff-ok'} role="status" data-testid="staff-paper-result">
                {t(supplies.stillOut ? 'kiosk.staff.paperStillOut' : 'kiosk.staff.paperRecorded')}
              </p>
            )}
            {supplies?.kind === 'error' && (
              <p className="k-error" role="alert" data-testid="staff-paper-result">
                {errorText(supplies.error)}
              </p>
            )}
            <p className="k-muted" data-testid="staff-cash">
              {t('kiosk.staff.cashFree')}
            </p>
          </section>
          <TestPrintPanel />
        </div>
      </div>
    </div>
  );
}
