import { decodeAmount, encodeAmount } from './amount.js';
import { blockFromHex, type Block64 } from './block64.js';
import { decodeTokenWithSchedule, type DecodedToken } from './decode.js';
import { deriveDecoderKeyDkga02 } from './dkga02.js';
import { ea07EncryptWithSchedule, ea07Schedule, type Ea07Schedule } from './ea07.js';
import { SAMPLE_TEST_TABLES, parseEa07Tables, type Ea07Tables } from './ea07-tables.js';
import { assertMeterIdentity, meterKeyId, type MeterIdentity } from './meter-identity.js';
import { StsError } from './sts-error.js';
import {
  buildCreditBlock,
  buildKeyChange1stBlock,
  buildKeyChange2ndBlock,
  buildRegisterBlock,
  CLEAR_ALL_REGISTERS,
  CREDIT_SUBCLASS,
  MANAGEMENT_SUBCLASS,
  TOKEN_CLASS,
  type CreditSubclassName,
} from './token-data.js';
import { tokenDigits } from './token-digits.js';

/** Returns the vending key for a meter's supply group, key revision and key type. */
export type VendingKeyResolver = (meter: MeterIdentity) => Block64;

export interface TokenEngineOptions {
  /** One vending key for every meter, or a resolver per (SGC, KRN, key type). Held in memory only. */
  readonly vendingKey: Block64 | string | VendingKeyResolver;
  /** EA07 tables; defaults to the published SAMPLE TEST tables, which real meters do not use. */
  readonly tables?: Ea07Tables;
  /** Decoder keys kept (oldest evicted first). 0 disables caching. Default 4096. */
  readonly cacheSize?: number;
  /** Random source in [0, 1) for RND when the caller does not pass one. Default: Web Crypto. */
  readonly random?: () => number;
}

/** A generated token and what it carries. */
export interface IssuedToken {
  /** 20 digits, no grouping. */
  readonly digits: string;
  readonly tokenClass: number;
  readonly subclass: number;
  readonly tid: number;
  readonly rnd: number;
  /** The raw 16-bit field (encoded amount, register number, or 0 padding). */
  readonly field: number;
}

export interface IssuedCreditToken extends IssuedToken {
  /** What the meter will add, in tenths: ≥ the requested amount because the mantissa rounds up. */
  readonly deliveredTenths: number;
}

export interface CreditTokenRequest {
  readonly subclass?: CreditSubclassName;
  /** Tenths of the unit: 0.1 kWh for electricity. */
  readonly amountTenths: number;
  readonly tid: number;
  readonly rnd?: number;
}

export interface ManagementTokenRequest {
  readonly tid: number;
  readonly rnd?: number;
}

export interface KeyChangeRequest {
  /** Key expiry number (KEN) for the new key; 0xFF (default) means it does not expire. */
  readonly ken?: number;
  /**
   * Rollover bit: tells the meter to clear its TID memory. Defaults to true exactly when the
   * base date changes (the 1993 → 2014 TID rollover migration).
   */
  readonly rollover?: boolean;
}

export interface KeyChangeTokens {
  /** Set1stSectionDecoderKey: enter first. */
  readonly first: IssuedToken;
  /** Set2ndSectionDecoderKey: enter second. */
  readonly second: IssuedToken;
}

interface CachedKey {
  readonly dk: Block64;
  readonly schedule: Ea07Schedule;
}

function defaultRandom(): number {
  const buf = new Uint32Array(1);
  globalThis.crypto.getRandomValues(buf);
  return (buf[0] as number) / 0x100000000;
}

/**
 * Issues and decodes STS tokens for meters identified by MeterIdentity. Decoder keys (and their
 * EA07 round schedules) are cached per meter identity, so a counter vending to a queue of known
 * meters pays for DES only once per meter. Nothing here persists or logs keys.
 */
export class TokenEngine {
  private readonly resolveVendingKey: VendingKeyResolver;
  private readonly tables: Ea07Tables;
  private readonly cacheSize: number;
  private readonly random: () => number;
  private readonly cache = new Map<string, CachedKey>();

  constructor(options: TokenEngineOptions) {
    const vk = options.vendingKey;
    if (typeof vk === 'function') this.resolveVendingKey = vk;
    else {
      const key = typeof vk === 'string' ? blockFromHex(vk) : vk;
      this.resolveVendingKey = () => key;
    }
    this.tables = options.tables === undefined ? SAMPLE_TEST_TABLES : options.tables === SAMPLE_TEST_TABLES ? SAMPLE_TEST_TABLES : parseEa07Tables(options.tables);
    this.cacheSize = options.cacheSize ?? 4096;
    this.random = options.random ?? defaultRandom;
  }

  /** The meter's decoder key (DKGA02). Callers must not store or log it. */
  decoderKey(meter: MeterIdentity): Block64 {
    return this.keyFor(meter).dk;
  }

  get cachedKeys(): number {
    return this.cache.size;
  }

  clearCache(): void {
    this.cache.clear();
  }

  creditToken(meter: MeterIdentity, req: CreditTokenRequest): IssuedCreditToken {
    const subclass = CREDIT_SUBCLASS[req.subclass ?? 'electricity'];
    if (subclass === undefined) throw new StsError('vending.token_field_invalid', { field: 'subclass', value: String(req.subclass) });
    const rnd = this.rnd(req.rnd);
    const block = buildCreditBlock({ subclass, rnd, tid: req.tid, amountTenths: req.amountTenths });
    const field = block.lo >>> 16;
    const digits = this.encrypt(meter, TOKEN_CLASS.credit, block);
    return { digits, tokenClass: TOKEN_CLASS.credit, subclass, tid: req.tid, rnd, field, deliveredTenths: decodeAmount(field) };
  }

  /** SetMaximumPowerLimit; the limit in watts is encoded like an amount (rounded up). */
  maxPowerLimitToken(meter: MeterIdentity, req: ManagementTokenRequest & { readonly watts: number }): IssuedToken {
    return this.registerToken(meter, MANAGEMENT_SUBCLASS.setMaximumPowerLimit, req, encodeAmount(req.watts));
  }

  /** ClearCredit; `register` 0 = electricity ... 0xFFFF (default) = all credit registers. */
  clearCreditToken(meter: MeterIdentity, req: ManagementTokenRequest & { readonly register?: number }): IssuedToken {
    return this.registerToken(meter, MANAGEMENT_SUBCLASS.clearCredit, req, req.register ?? CLEAR_ALL_REGISTERS);
  }

  /** ClearTamperCondition; the 16-bit field is padding (0). */
  clearTamperToken(meter: MeterIdentity, req: ManagementTokenRequest): IssuedToken {
    return this.registerToken(meter, MANAGEMENT_SUBCLASS.clearTamper, req, 0);
  }

  /**
   * The key change token pair moving a meter from `current` to `next` (new KRN, TI, key type,
   * SGC or base date). Both tokens are encrypted under the CURRENT decoder key and carry halves of
   * the NEW one (derived with the vending key the resolver gives for `next`). Enter 1st then 2nd.
   */
  keyChangeTokens(current: MeterIdentity, next: MeterIdentity, req: KeyChangeRequest = {}): KeyChangeTokens {
    assertMeterIdentity(next);
    if (current.iin !== next.iin || current.drn !== next.drn) {
      throw new StsError('vending.bad_meter_identity', { field: 'drn' });
    }
    const ken = req.ken ?? 0xff;
    if (!Number.isInteger(ken) || ken < 0 || ken > 0xff) throw new StsError('vending.token_field_invalid', { field: 'ken', value: String(ken) });
    const rollover = req.rollover ?? current.baseDate !== next.baseDate;
    const newDk = deriveDecoderKeyDkga02(this.resolveVendingKey(next), next);
    const b1 = buildKeyChange1stBlock({ kenho: ken >>> 4, krn: next.krn, ro: rollover ? 1 : 0, keyType: next.keyType, nkho: newDk.hi });
    const b2 = buildKeyChange2ndBlock({ kenlo: ken & 0xf, ti: Number.parseInt(next.ti, 10), nklo: newDk.lo });
    const cls = TOKEN_CLASS.management;
    return {
      first: { digits: this.encrypt(current, cls, b1), tokenClass: cls, subclass: MANAGEMENT_SUBCLASS.keyChange1stSection, tid: 0, rnd: 0, field: 0 },
      second: { digits: this.encrypt(current, cls, b2), tokenClass: cls, subclass: MANAGEMENT_SUBCLASS.keyChange2ndSection, tid: 0, rnd: 0, field: 0 },
    };
  }

  /** Decodes a token with this meter's key (CRC reported in the result). */
  decode(meter: MeterIdentity, digits: string): DecodedToken {
    return decodeTokenWithSchedule(this.keyFor(meter).schedule, digits, this.tables);
  }

  private registerToken(meter: MeterIdentity, subclass: number, req: ManagementTokenRequest, field: number): IssuedToken {
    const rnd = this.rnd(req.rnd);
    const block = buildRegisterBlock(TOKEN_CLASS.management, { subclass, rnd, tid: req.tid, field });
    return { digits: this.encrypt(meter, TOKEN_CLASS.management, block), tokenClass: TOKEN_CLASS.management, subclass, tid: req.tid, rnd, field };
  }

  private encrypt(meter: MeterIdentity, tokenClass: number, block: Block64): string {
    return tokenDigits(tokenClass, ea07EncryptWithSchedule(this.keyFor(meter).schedule, block, this.tables));
  }

  private rnd(given: number | undefined): number {
    if (given !== undefined) return given;
    return Math.floor(this.random() * 16) & 0xf;
  }

  private keyFor(meter: MeterIdentity): CachedKey {
    const id = meterKeyId(meter);
    const hit = this.cache.get(id);
    if (hit) return hit;
    assertMeterIdentity(meter);
    const dk = deriveDecoderKeyDkga02(this.resolveVendingKey(meter), meter);
    const entry = { dk, schedule: ea07Schedule(dk) };
    if (this.cacheSize > 0) {
      if (this.cache.size >= this.cacheSize) {
        const oldest = this.cache.keys().next();
        if (!oldest.done) this.cache.delete(oldest.value);
      }
      this.cache.set(id, entry);
    }
    return entry;
  }
}
