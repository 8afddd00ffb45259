/**
 * The terminal's side of enrolment: sends the code once to the backend's `POST /enrol` and returns
 * what it was given, or a refusal the caller shows translated (`enrolment.error.<reason>`).
 */
import { EnrolReplySchema, ENROL_PATH, ENROLMENT_REFUSALS, normalizeEnrolmentCode, type EnrolReply, type EnrolmentRefusal } from '../wire/enrolment-wire.js';
import { BackendRejected, BackendUnavailable, fetchTransport, requestJson, type HttpTransport } from '../sync/http-json.js';

/** Why enrolment did not happen: the backend's refusal, or no usable answer at all. */
export type EnrolFailure = EnrolmentRefusal | 'unreachable' | 'not_supported';

export class EnrolError extends Error {
  constructor(
    readonly reason: EnrolFailure,
    detail: string,
  ) {
    super(`enrolment failed (${reason}): ${detail}`);
    this.name = 'EnrolError';
  }
}

export interface EnrolOptions {
  readonly backendUrl: string;
  readonly code: string;
  readonly hostname?: string;
  readonly version?: string;
  readonly transport?: HttpTransport;
  readonly timeoutMs?: number;
}

export async function enrolTerminal(opts: EnrolOptions): Promise<EnrolReply> {
  // A mistyped code is caught here, before it costs the backend anything or lands in its journal.
  if (normalizeEnrolmentCode(opts.code) === null) throw new EnrolError('code_malformed', 'the check symbol does not match (a symbol mistyped?)');
  try {
    return await requestJson(
      {
        url: new URL(ENROL_PATH, opts.backendUrl),
        method: 'POST',
        body: JSON.stringify({ code: opts.code, ...(opts.hostname ? { hostname: opts.hostname } : {}), ...(opts.version ? { version: opts.version } : {}) }),
        timeoutMs: opts.timeoutMs ?? 15_000,
        transport: opts.transport ?? fetchTransport,
        answers: (s) => s === 400 || s === 404 || s === 409 || s === 410 || s === 501,
      },
      EnrolReplySchema,
    );
  } catch (err) {
    if (err instanceof BackendRejected) {
      const known = (ENROLMENT_REFUSALS as readonly string[]).includes(err.code);
      if (known) throw new EnrolError(err.code as EnrolmentRefusal, err.message);
      // A backend without enrolment (PostgreSQL store, an older backend) or one that refused the request.
      throw new EnrolError('not_supported', err.message);
    }
    if (err instanceof BackendUnavailable) throw new EnrolError('unreachable', err.message);
    throw err;
  }
}
