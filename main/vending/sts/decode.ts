import { blockToHex, type Block64 } from './block64.js';
import { ea07DecryptWithSchedule, ea07Schedule, type Ea07Schedule } from './ea07.js';
import { SAMPLE_TEST_TABLES, type Ea07Tables } from './ea07-tables.js';
import { StsError } from './sts-error.js';
import { dateFromTid, type BaseDate } from './tid.js';
import { parseBlock, TOKEN_CLASS, type TokenPayload } from './token-data.js';
import { parseTokenDigits, type TokenNumber } from './token-digits.js';

/** A token taken apart with one decoder key. `crcOk` false means: not this meter's token (or mistyped). */
export interface DecodedToken {
  readonly tokenClass: number;
  readonly subclass: number;
  readonly crcOk: boolean;
  /** The decrypted 64-bit block, 16 hex digits (no key material). */
  readonly plainBlock: string;
  readonly payload: TokenPayload;
  /** Present for class 0 and class 2 register tokens. */
  readonly rnd?: number;
  readonly tid?: number;
  /** Class 0 only: the raw field and its value in tenths of the unit (0.1 kWh for electricity). */
  readonly amount?: { readonly field: number; readonly tenths: number };
}

function decodeNumber(schedule: Ea07Schedule | null, num: TokenNumber, tables: Ea07Tables): DecodedToken {
  // Class 1 (meter test/display) tokens are not meter specific and are sent unencrypted.
  const plain: Block64 = num.tokenClass === TOKEN_CLASS.meterTest || schedule === null ? num.block : ea07DecryptWithSchedule(schedule, num.block, tables);
  const parsed = parseBlock(num.tokenClass, plain);
  const p = parsed.payload;
  const common = { tokenClass: num.tokenClass, subclass: parsed.subclass, crcOk: parsed.crcOk, plainBlock: blockToHex(plain), payload: p };
  if (p.kind === 'credit') return { ...common, rnd: p.rnd, tid: p.tid, amount: { field: p.amountField, tenths: p.amountTenths } };
  if (p.kind === 'management') return { ...common, rnd: p.rnd, tid: p.tid };
  return common;
}

/**
 * Decrypts and splits a 20-digit token with decoder key `dk`. Malformed input (length,
 * non-digits, ≥ 2^66) throws StsError; a CRC mismatch is reported, not thrown, since with the
 * wrong key it is the expected outcome.
 */
export function decodeToken(dk: Block64, digits: string, tables: Ea07Tables = SAMPLE_TEST_TABLES): DecodedToken {
  return decodeNumber(ea07Schedule(dk), parseTokenDigits(digits), tables);
}

/** Internal entry for callers that already hold a schedule (the engine's cache). */
export function decodeTokenWithSchedule(schedule: Ea07Schedule, digits: string, tables: Ea07Tables): DecodedToken {
  return decodeNumber(schedule, parseTokenDigits(digits), tables);
}

/** One meter the token might belong to. */
export interface ExplainCandidate {
  readonly meterNo: string;
  readonly dk: Block64;
  readonly baseDate: BaseDate;
  /** TIDs this meter has already accepted (from the vend history), to tell "already used". */
  readonly usedTids?: ReadonlySet<number> | readonly number[];
}

export interface TokenExplanation {
  /** The meter whose key makes the CRC pass; null for class 1 tokens, which fit every meter. */
  readonly meterNo: string | null;
  readonly tokenClass: number;
  readonly subclass: number;
  readonly kind: TokenPayload['kind'];
  readonly rnd?: number;
  readonly tid?: number;
  /** The TID as a UTC ISO timestamp for this meter's base date. */
  readonly tidDate?: string;
  readonly baseDate?: BaseDate;
  /** Class 0: value in tenths of the unit. */
  readonly amountTenths?: number;
  /** True when this meter already accepted a token with this TID: the meter rejects it as used. */
  readonly tidAlreadyUsed: boolean;
  /** Other candidates whose key also passes the CRC (1 in 65536 chance each); normally empty. */
  readonly alsoMatches: readonly string[];
  readonly decoded: DecodedToken;
}

function hasTid(used: ExplainCandidate['usedTids'], tid: number): boolean {
  if (!used) return false;
  return Array.isArray(used) ? used.includes(tid) : (used as ReadonlySet<number>).has(tid);
}

/**
 * For the help desk: which of the customer's meters a token belongs to, what it carries, when it
 * was issued (in that meter's base date) and whether that meter already used its TID.
 * Throws `vending.no_candidates` for an empty list and `vending.token_crc` when no key fits.
 */
export function explainToken(
  digits: string,
  candidates: readonly ExplainCandidate[],
  tables: Ea07Tables = SAMPLE_TEST_TABLES,
): TokenExplanation {
  const num = parseTokenDigits(digits);
  if (candidates.length === 0) throw new StsError('vending.no_candidates');
  if (num.tokenClass === TOKEN_CLASS.meterTest) {
    const decoded = decodeNumber(null, num, tables);
    if (!decoded.crcOk) throw new StsError('vending.token_crc', { candidates: candidates.length });
    return { meterNo: null, tokenClass: 1, subclass: decoded.subclass, kind: decoded.payload.kind, tidAlreadyUsed: false, alsoMatches: [], decoded };
  }
  const matches: { candidate: ExplainCandidate; decoded: DecodedToken }[] = [];
  for (const candidate of candidates) {
    const decoded = decodeNumber(ea07Schedule(candidate.dk), num, tables);
    if (decoded.crcOk) matches.push({ candidate, decoded });
  }
  const first = matches[0];
  if (!first) throw new StsError('vending.token_crc', { candidates: candidates.length });
  const { candidate, decoded } = first;
  const tid = decoded.tid;
  return {
    meterNo: candidate.meterNo,
    tokenClass: decoded.tokenClass,
    subclass: decoded.subclass,
    kind: decoded.payload.kind,
    ...(decoded.rnd !== undefined ? { rnd: decoded.rnd } : {}),
    ...(tid !== undefined ? { tid, tidDate: dateFromTid(tid, candidate.baseDate).toISOString(), baseDate: candidate.baseDate } : {}),
    ...(decoded.amount ? { amountTenths: decoded.amount.tenths } : {}),
    tidAlreadyUsed: tid !== undefined && hasTid(candidate.usedTids, tid),
    alsoMatches: matches.slice(1).map((m) => m.candidate.meterNo),
    decoded,
  };
}
