import { useTranslation } from 'react-i18next';
import type { MethodName, ParamsOf, ResultOf, WireError } from '../../main/contract/index.js';
import { bridge } from './bridge';

export type CallResult<K extends MethodName> = { ok: true; result: ResultOf<K> } | { ok: false; error: WireError };

export function call<K extends MethodName>(method: K, params: ParamsOf<K>): Promise<CallResult<K>> {
  return bridge.invoke(method, params) as Promise<CallResult<K>>;
}

/** The translated message of a wire error, with its details interpolated. */
export function useErrorText(): (e: WireError) => string {
  const { t } = useTranslation();
  return (e) => t(e.i18nKey, { ...e.details, defaultValue: t('errors.internal') });
}
