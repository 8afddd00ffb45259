import { z } from 'zod';
import { AppError } from '../../contract/errors/index.js';
import { BackendRejected, BackendUnavailable, requestJson, type HttpTransport } from '../../sync/http-json.js';
import { signedExchange } from '../../sync/signed-exchange.js';
import type { IssueCreditRequest, IssuedCredit, SecureModule } from './secure-module.js';

/** The reference backend's issuing endpoint (test/billing-backend/sts-issue.ts). */
export const STS_ISSUE_PATH = '/api/sts/issue';

export const StsIssueRequestSchema = z
  .object({
    vendId: z.string().uuid(),
    meterNo: z.string().regex(/^\d{18}$/),
    amountTenths: z.number().int().positive(),
    tid: z.number().int().min(0).max(0xffffff),
    rnd: z.number().int().min(0).max(15),
    /**
     * The meter parameters the terminal vends under (no key material). The backend refuses with
     * 409 `sts_params_mismatch` when its record differs, e.g. a key change it has not applied yet:
     * a token under the other key (or base date) would be refused by the meter.
     */
    sts: z
      .object({
        keyType: z.number().int().min(0).max(3),
        sgc: z.string().regex(/^\d{6}$/),
        ti: z.string().regex(/^\d{2}$/),
        krn: z.number().int().min(1).max(9),
        baseDate: z.enum(['1993-01-01', '2014-01-01']),
      })
      .strict()
      .optional(),
  })
  .strict();
export type StsIssueRequest = z.infer<typeof StsIssueRequestSchema>;

export const StsIssueResponseSchema = z.object({
  digits: z.string().regex(/^\d{20}$/),
  tid: z.number().int(),
  rnd: z.number().int(),
  field: z.number().int(),
  deliveredTenths: z.number().int(),
});
export type StsIssueResponse = z.infer<typeof StsIssueResponseSchema>;

export interface OnlineSecureModuleOptions {
  readonly baseUrl: string;
  readonly terminalId: string;
  readonly secret: string;
  readonly timeoutMs: number;
  readonly now: () => Date;
  /** How requests travel (default: Node's fetch); chosen at the composition root with the backend's. */
  readonly transport?: HttpTransport;
}

/** Asks the backend to issue; the backend is idempotent per vendId (same answer, byte for byte). */
export class OnlineSecureModule implements SecureModule {
  readonly mode = 'online' as const;
  constructor(private readonly opts: OnlineSecureModuleOptions) {}

  async issueCredit(req: IssueCreditRequest): Promise<IssuedCredit> {
    const { keyType, sgc, ti, krn, baseDate } = req.sts;
    const payload: StsIssueRequest = { vendId: req.vendId, meterNo: req.meterNo, amountTenths: req.amountTenths, tid: req.tid, rnd: req.rnd, sts: { keyType, sgc, ti, krn, baseDate } };
    const body = JSON.stringify(payload);
    // Signed for this terminal; a token (or a refusal) counts only when the backend signed it for this request.
    const exchange = signedExchange({ terminalId: this.opts.terminalId, secret: this.opts.secret, tsMs: this.opts.now().getTime(), method: 'POST', pathWithQuery: STS_ISSUE_PATH, body });
    try {
      const issued = await requestJson(
        {
          url: new URL(STS_ISSUE_PATH, this.opts.baseUrl),
          method: 'POST',
          headers: exchange.headers,
          body,
          timeoutMs: this.opts.timeoutMs,
          // The backend's refusals (conflict, TID reused, parameters mismatch, bad request, auth)
          // are answers; a 5xx or anything unreadable means "not now".
          answers: (status) => status >= 400 && status < 500,
          reply: exchange.reply,
          ...(this.opts.transport ? { transport: this.opts.transport } : {}),
        },
        StsIssueResponseSchema,
      );
      return { ...issued, issuer: 'online' };
    } catch (err) {
      if (err instanceof BackendRejected) throw new AppError('vending.issue_rejected', { reason: err.code });
      if (err instanceof BackendUnavailable) {
        throw new AppError('vending.secure_module_unavailable', { mode: 'online', reason: err.reason, ...(err.status === null ? {} : { status: err.status }) });
      }
      throw err;
    }
  }
}
