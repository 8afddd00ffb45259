/**
 * STS token engine (IEC 62055-41): public API. Common tier: no Node, DOM or Electron imports.
 * The Node-only key-file loader is main/loaders/sts-tables.ts.
 */
export {
  AMOUNT_MAX_TENTHS,
  decodeAmount,
  encodeAmount,
  isRepresentableTenths,
  representableTenthsAtOrAbove,
  representableTenthsAtOrBelow,
  tenthsFromHundredthsKwh,
} from './amount.js';
export { blockFromHex, blockToHex, blocksEqual, xorBlock, type Block64 } from './block64.js';
export { crc16Modbus, stsCrc, stsCrcOfBytes } from './crc16.js';
export {
  decodeToken,
  explainToken,
  type DecodedToken,
  type ExplainCandidate,
  type TokenExplanation,
} from './decode.js';
export { desDecrypt, desEncrypt } from './des.js';
export { controlBlock, deriveDecoderKeyDkga02, panBlock } from './dkga02.js';
export { ea07Decrypt, ea07Encrypt } from './ea07.js';
export { parseEa07Tables, SAMPLE_TEST_TABLES, type Ea07Tables } from './ea07-tables.js';
export {
  assertMeterIdentity,
  formatMeterNumber,
  isValidMeterNumber,
  luhnCheckDigit,
  parseMeterNumber,
  type EncryptionAlgorithm,
  type MeterIdentity,
} from './meter-identity.js';
export { isStsError, StsError } from './sts-error.js';
export { BASE_DATES, dateFromTid, isBaseDate, TID_MAX, tidFromDate, type BaseDate } from './tid.js';
export {
  buildCreditBlock,
  buildKeyChange1stBlock,
  buildKeyChange2ndBlock,
  buildRegisterBlock,
  CLEAR_ALL_REGISTERS,
  CREDIT_SUBCLASS,
  MANAGEMENT_SUBCLASS,
  parseBlock,
  TOKEN_CLASS,
  type CreditSubclassName,
  type KeyChange1stFields,
  type KeyChange2ndFields,
  type ParsedBlock,
  type TokenPayload,
} from './token-data.js';
export { formatTokenGroups, normalizeTokenInput, parseTokenDigits, tokenDigits, type TokenNumber } from './token-digits.js';
export {
  TokenEngine,
  type CreditTokenRequest,
  type IssuedCreditToken,
  type IssuedToken,
  type KeyChangeRequest,
  type KeyChangeTokens,
  type ManagementTokenRequest,
  type TokenEngineOptions,
  type VendingKeyResolver,
} from './token-engine.js';
