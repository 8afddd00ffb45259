import { useTranslation } from 'react-i18next';
import type { ErrorCode, MethodName, ParamsOf, ResultOf, WireError } from '../../main/contract/index.js';
import { bridge } from './bridge';

export type CallResult<K extends MethodName> = { ok: true; result: ResultOf<K> } | { ok: false; error: WireError };

/** Answers meaning this window's session is over: the app returns to sign-in. */
const SESSION_ENDED: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['session.expired', 'session.revoked']);
const sessionEndedListeners = new Set<(error: WireError) => void>();
let lastCall = Date.now();

export function call<K extends MethodName>(method: K, params: ParamsOf<K>): Promise<CallResult<K>> {
  lastCall = Date.now();
  return (bridge.invoke(method, params) as Promise<CallResult<K>>).then((r) => {
    if (!r.ok && SESSION_ENDED.has(r.error.code)) sessionEndedListeners.forEach((l) => l(r.error));
    return r;
  });
}

/** When this window last called the core (the core counts any call as session activity). */
export function lastCallAt(): number {
  return lastCall;
}

/** Called when any call answers that the session has ended (idle timeout, operator removed). */
export function onSessionEnded(listener: (error: WireError) => void): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

/** The translated message of a wire error, with its details interpolated. */
export function useErrorText(): (e: WireError) => string {
  const { t } = useTranslation();
  return (e) => t(e.i18nKey, { ...e.details, defaultValue: t('errors.internal') });
}
