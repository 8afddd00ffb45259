/**
 * The secure module seam: one interface, two modes, chosen only at the composition root.
 * - online: the billing backend issues the token (it holds the vending key);
 * - local: a software secure module on this terminal, the vending key read from a key file
 *   outside the database.
 * Both are deterministic for a given (meter, TID, RND, amount), so a re-issue after a crash is
 * byte-identical whichever module answers. Nothing here stores or logs key material.
 */
import type { StsParams } from '../../wire/backend-wire.js';

export type SecureModuleMode = 'online' | 'local';

export interface IssueCreditRequest {
  /** The vend this token belongs to: the online issuer is idempotent on it. */
  readonly vendId: string;
  readonly meterNo: string;
  readonly sts: StsParams;
  /** 0.1 kWh. */
  readonly amountTenths: number;
  readonly tid: number;
  readonly rnd: number;
}

export interface IssuedCredit {
  readonly digits: string;
  readonly tid: number;
  readonly rnd: number;
  /** The encoded 16-bit amount field. */
  readonly field: number;
  /** What the meter will add, 0.1 kWh (the STS mantissa rounds up). */
  readonly deliveredTenths: number;
  readonly issuer: SecureModuleMode;
}

export interface SecureModule {
  readonly mode: SecureModuleMode;
  /** Throws AppError `vending.secure_module_unavailable` when it cannot answer now (retry later). */
  issueCredit(req: IssueCreditRequest, signal?: AbortSignal): Promise<IssuedCredit>;
}
