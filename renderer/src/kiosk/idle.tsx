/**
 * Idle timeout with a warning the customer can extend with one touch, again and again. After
 * `idleMs` without a touch the warning shows for `warnMs` (never less than 20 s to respond); any
 * touch or key during it extends the visit; when it runs out, `onTimeout` resets the visit.
 * Steps where the customer is waiting on the kiosk (paying, card writing) turn it off.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** The customer always gets at least this long to answer the warning. */
export const MIN_WARN_MS = 20_000;

export interface IdleOptions {
  readonly enabled: boolean;
  readonly idleMs: number;
  readonly warnMs: number;
  readonly onTimeout: () => void;
  /** Every touch or key while enabled (the app tells the core the visit is alive). */
  readonly onActivity?: () => void;
}

export interface IdleState {
  readonly warning: boolean;
  readonly secondsLeft: number;
  readonly extend: () => void;
}

const ACTIVITY = ['pointerdown', 'keydown', 'touchstart', 'wheel'] as const;

export function useIdle({ enabled, idleMs, warnMs: askedWarnMs, onTimeout, onActivity }: IdleOptions): IdleState {
  const warnMs = Math.max(askedWarnMs, MIN_WARN_MS);
  const lastActivity = useRef(Date.now());
  const [warningSince, setWarningSince] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const timeout = useRef(onTimeout);
  timeout.current = onTimeout;
  const activity = useRef(onActivity);
  activity.current = onActivity;

  const extend = useCallback(() => {
    lastActivity.current = Date.now();
    setWarningSince(null);
  }, []);

  // Any touch or key counts as activity (and, during the warning, extends the visit).
  useEffect(() => {
    if (!enabled) return undefined;
    const onTouch = () => {
      lastActivity.current = Date.now();
      setWarningSince((w) => (w === null ? w : null));
      activity.current?.();
    };
    for (const e of ACTIVITY) window.addEventListener(e, onTouch, { capture: true, passive: true });
    return () => {
      for (const e of ACTIVITY) window.removeEventListener(e, onTouch, { capture: true });
    };
  }, [enabled]);

  // Turning the guard on (a new step that waits on the customer) starts the count afresh.
  useEffect(() => {
    lastActivity.current = Date.now();
    setWarningSince(null);
  }, [enabled]);

  // Quiet phase: wake when the idle time would be up, and check again (activity moves it on).
  useEffect(() => {
    if (!enabled || warningSince !== null) return undefined;
    let timer: number;
    const check = () => {
      const left = lastActivity.current + idleMs - Date.now();
      if (left <= 0) {
        const at = Date.now();
        setNow(at);
        setWarningSince(at);
      } else timer = window.setTimeout(check, left);
    };
    timer = window.setTimeout(check, idleMs);
    return () => window.clearTimeout(timer);
  }, [enabled, warningSince, idleMs]);

  // Warning phase: count down each second; at zero the visit resets.
  useEffect(() => {
    if (!enabled || warningSince === null) return undefined;
    const timer = window.setInterval(() => {
      const at = Date.now();
      setNow(at);
      if (at - warningSince >= warnMs) {
        window.clearInterval(timer);
        setWarningSince(null);
        timeout.current();
      }
    }, 250);
    return () => window.clearInterval(timer);
  }, [enabled, warningSince, warnMs]);

  const secondsLeft = warningSince === null ? Math.ceil(warnMs / 1000) : Math.max(0, Math.ceil((warningSince + warnMs - now) / 1000));
  return { warning: enabled && warningSince !== null, secondsLeft, extend };
}

/** The warning itself: a modal the whole screen of which is the "continue" target. */
export function IdleWarning({ state }: { readonly state: IdleState }) {
  const { t } = useTranslation();
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (state.warning) button.current?.focus();
  }, [state.warning]);
  if (!state.warning) return null;
  return (
    <div className="k-overlay" data-testid="idle-warning" onPointerDown={state.extend}>
      <div className="k-dialog" role="alertdialog" aria-modal="true" aria-labelledby="idle-title" aria-describedby="idle-body">
        <h2 id="idle-title">{t('kiosk.idle.title')}</h2>
        <p id="idle-body" className="k-dialog-body">
          {t('kiosk.idle.body', { seconds: state.secondsLeft })}
        </p>
        <p className="k-countdown" aria-hidden="true" data-testid="idle-seconds">
          {state.secondsLeft}
        </p>
        <button type="button" ref={button} className="k-primary k-wide" onClick={state.extend} data-testid="idle-extend">
          {t('kiosk.idle.extend')}
        </button>
      </div>
    </div>
  );
}
