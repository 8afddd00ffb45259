/**
 * Calls of the kiosk visit. A visit the core has ended (idle limit, staff exit, a newer visit)
 * answers `kiosk.visit_ended` / `kiosk.visit_not_found`: every screen then returns to the attract
 * screen through one listener, so no screen is left acting on a visit that is gone.
 */
import { useEffect, useState } from 'react';
import type { ErrorCode, KioskStatusView, MethodName, ParamsOf } from '../../../main/contract/index.js';
import { bridge } from '../bridge';
import { call, type CallResult } from '../rpc';

const VISIT_GONE: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['kiosk.visit_ended', 'kiosk.visit_not_found']);
const goneListeners = new Set<() => void>();

export function kcall<K extends MethodName>(method: K, params: ParamsOf<K>): Promise<CallResult<K>> {
  return call(method, params).then((r) => {
    if (!r.ok && VISIT_GONE.has(r.error.code)) goneListeners.forEach((l) => l());
    return r;
  });
}

export function onVisitGone(listener: () => void): () => void {
  goneListeners.add(listener);
  return () => goneListeners.delete(listener);
}

/** The kiosk's status (capabilities, pending transaction, idle timings), kept current by events and a slow poll. */
export function useKioskStatus(pollMs = 15_000): { status: KioskStatusView | null; failed: boolean; refresh: () => void } {
  const [status, setStatus] = useState<KioskStatusView | null>(null);
  const [failed, setFailed] = useState(false);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let alive = true;
    const load = () =>
      void call('kiosk.status', {}).then((r) => {
        if (!alive) return;
        if (r.ok) {
          setStatus(r.result);
          setFailed(false);
        } else setFailed(true);
      });
    load();
    const timer = window.setInterval(load, pollMs);
    const off = bridge.subscribe('kiosk.statusChanged', (s) => setStatus((old) => ({ ...s, visit: old?.visit ?? null })));
    return () => {
      alive = false;
      window.clearInterval(timer);
      off();
    };
  }, [pollMs, tick]);
  return { status, failed, refresh: () => setTick((n) => n + 1) };
}
