import { StsError } from '../sts/sts-error.js';
import { assertMeterIdentity, TokenEngine, type Block64, type DecodedToken, type IssuedToken, type KeyChangeTokens, type MeterIdentity } from '../sts/index.js';
import type { StsParams } from '../../wire/backend-wire.js';
import type { IssueCreditRequest, IssuedCredit, SecureModule } from './secure-module.js';
import type { VendingKeyMaterial } from './key-file.js';

export function meterIdentity(sts: StsParams): MeterIdentity {
  const m: MeterIdentity = { iin: sts.iin, drn: sts.drn, keyType: sts.keyType, sgc: sts.sgc, ti: sts.ti, krn: sts.krn, baseDate: sts.baseDate, algorithm: sts.algorithm };
  assertMeterIdentity(m);
  return m;
}

/**
 * The software secure module: the STS engine with the vending key held in memory only (from the
 * key file). RND is always given by the caller (stored with the vend), so issuing is a pure
 * function of the vend's stored inputs.
 */
export class LocalSecureModule implements SecureModule {
  readonly mode = 'local' as const;
  private readonly engine: TokenEngine;

  constructor(key: VendingKeyMaterial) {
    this.engine = new TokenEngine({ vendingKey: key.vendingKey, tables: key.tables, random: () => 0 });
  }

  issueCredit(req: IssueCreditRequest): Promise<IssuedCredit> {
    return Promise.resolve(this.issueCreditSync(req));
  }

  issueCreditSync(req: IssueCreditRequest): IssuedCredit {
    if (!Number.isInteger(req.rnd) || req.rnd < 0 || req.rnd > 15) throw new StsError('vending.token_field_invalid', { field: 'rnd' });
    const t = this.engine.creditToken(meterIdentity(req.sts), { amountTenths: req.amountTenths, tid: req.tid, rnd: req.rnd });
    return { digits: t.digits, tid: t.tid, rnd: t.rnd, field: t.field, deliveredTenths: t.deliveredTenths, issuer: 'local' };
  }

  /** A class 2 management token (TID and RND from the caller, like credit tokens). */
  managementToken(
    sts: StsParams,
    req: { readonly kind: 'clear_credit' | 'clear_tamper' | 'max_power'; readonly tid: number; readonly rnd: number; readonly watts?: number; readonly register?: number },
  ): IssuedToken {
    const m = meterIdentity(sts);
    switch (req.kind) {
      case 'clear_credit':
        return this.engine.clearCreditToken(m, { tid: req.tid, rnd: req.rnd, ...(req.register !== undefined ? { register: req.register } : {}) });
      case 'clear_tamper':
        return this.engine.clearTamperToken(m, { tid: req.tid, rnd: req.rnd });
      case 'max_power':
        return this.engine.maxPowerLimitToken(m, { tid: req.tid, rnd: req.rnd, watts: req.watts ?? 0 });
      default: {
        const never: never = req.kind;
        throw new Error(`unknown management token ${String(never)}`);
      }
    }
  }

  /** The key change pair from the meter's current parameters to `next` (both under the current key). */
  keyChange(current: StsParams, next: StsParams): KeyChangeTokens {
    return this.engine.keyChangeTokens(meterIdentity(current), meterIdentity(next));
  }

  /** For the help desk decoder; callers must not store or log it. */
  decoderKey(sts: StsParams): Block64 {
    return this.engine.decoderKey(meterIdentity(sts));
  }

  decode(sts: StsParams, digits: string): DecodedToken {
    return this.engine.decode(meterIdentity(sts), digits);
  }
}
