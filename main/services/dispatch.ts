/**
 * The one entry point both shells call. It validates params against the contract's schema,
 * checks the caller's role, runs the handler, and turns anything thrown into a plain wire error —
 * so a bad request is refused before any service runs and nothing is written.
 */
import { ZodError } from 'zod';
import {
  AppError,
  i18nKeyFor,
  isErrorCode,
  type ErrorDetails,
  methodAccess,
  methodSchemas,
  type MethodName,
  type MethodResults,
  type OperatorView,
  type RpcResponse,
  type WireError,
} from '../contract/index.js';

/** Per-connection state held by the shell (one per renderer window / WebSocket). */
export interface Session {
  readonly id: string;
  operator: OperatorView | null;
  /** Clock time (ms) of this session's last call; the session guard ends it after the idle timeout. */
  lastActiveAt?: number;
}

/**
 * Runs before every call, ahead of the access check: ends a signed-in session that may no longer
 * act (idle too long, operator removed) by clearing its operator, and records the call as activity.
 * Returns why the session ended, or null. A protected method then answers that error; a public
 * one (sign-in, session.current) runs on the now anonymous session.
 */
export interface SessionGuard {
  admit(session: Session): AppError | null;
}

type ParsedParams<K extends MethodName> = import('zod').infer<(typeof methodSchemas)[K]>;

export type Handlers = {
  readonly [K in MethodName]: (params: ParsedParams<K>, session: Session) => Promise<MethodResults[K]> | MethodResults[K];
};

export type Dispatch = (method: string, params: unknown, session: Session) => Promise<RpcResponse>;

export interface DispatchOptions {
  /** Called with unexpected errors (bugs), which reach the UI only as `internal`. */
  readonly onInternalError?: (method: string, err: unknown) => void;
  readonly sessions?: SessionGuard;
}

export function createDispatch(handlers: Handlers, opts: DispatchOptions = {}): Dispatch {
  return async (method, params, session) => {
    if (!Object.hasOwn(methodSchemas, method)) {
      return fail(new AppError('rpc.unknown_method', { method: String(method).slice(0, 64) }).toWire());
    }
    const name = method as MethodName;
    const access = methodAccess[name];
    const ended = opts.sessions?.admit(session) ?? null;
    if (access !== 'public') {
      if (ended) return fail(ended.toWire());
      if (!session.operator) return fail(new AppError('auth.not_signed_in').toWire());
      if (!access.includes(session.operator.role)) {
        return fail(new AppError('auth.forbidden', { role: session.operator.role }).toWire());
      }
    }
    const parsed = methodSchemas[name].safeParse(params ?? {});
    if (!parsed.success) return fail(validationError(parsed.error));
    try {
      const handler = handlers[name] as (p: unknown, s: Session) => Promise<unknown> | unknown;
      const result = await handler(parsed.data, session);
      return { ok: true, result } as RpcResponse;
    } catch (err) {
      return fail(toWireError(err, (e) => opts.onInternalError?.(name, e)));
    }
  };
}

function fail(error: WireError): RpcResponse {
  return { ok: false, error };
}

function validationError(err: ZodError): WireError {
  const first = err.issues[0];
  return new AppError('validation.invalid_params', {
    field: first ? first.path.join('.') || '(root)' : '(root)',
    issue: first?.code ?? 'invalid',
  }).toWire();
}

/**
 * Typed failures from every area (AppError, DeviceError, TariffError, …) carry a code from the
 * closed union and plain details; anything else is a bug and reaches the UI only as `internal`.
 */
export function toWireError(err: unknown, onInternal?: (err: unknown) => void): WireError {
  if (err instanceof AppError) return err.toWire();
  if (err instanceof Error && 'code' in err && isErrorCode(err.code)) {
    const details = 'details' in err && typeof err.details === 'object' && err.details !== null ? (err.details as ErrorDetails) : {};
    return { code: err.code, i18nKey: i18nKeyFor(err.code), details };
  }
  onInternal?.(err);
  return new AppError('internal').toWire();
}
