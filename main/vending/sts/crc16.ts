/**
 * STS CRC-16: polynomial 0x8005 in its reflected form 0xA001, register preset 0xFFFF, no final
 * XOR (the MODBUS algorithm), over the 50-bit class‖data value left-padded to 7 bytes, most
 * significant byte first. The token's CRC field holds the register with its bytes swapped.
 */
const TABLE = buildTable();

function buildTable(): Uint16Array {
  const t = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let r = n;
    for (let k = 0; k < 8; k++) r = r & 1 ? (r >>> 1) ^ 0xa001 : r >>> 1;
    t[n] = r;
  }
  return t;
}

/** The raw MODBUS register after feeding `bytes` (no byte swap). */
export function crc16Modbus(bytes: ArrayLike<number>): number {
  let reg = 0xffff;
  for (let i = 0; i < bytes.length; i++) {
    reg = (reg >>> 8) ^ (TABLE[(reg ^ (bytes[i] as number)) & 0xff] as number);
  }
  return reg;
}

function feed(reg: number, byte: number): number {
  return (reg >>> 8) ^ (TABLE[(reg ^ byte) & 0xff] as number);
}

/**
 * The STS CRC field for a token: `tokenClass` (2 bits) followed by the top 48 bits of the data
 * block (`hi` = bits 63..32, `lo16` = bits 31..16). Allocation-free: this runs once per token.
 */
export function stsCrc(tokenClass: number, hi: number, lo16: number): number {
  let reg = 0xffff;
  reg = feed(reg, tokenClass & 0x03);
  reg = feed(reg, (hi >>> 24) & 0xff);
  reg = feed(reg, (hi >>> 16) & 0xff);
  reg = feed(reg, (hi >>> 8) & 0xff);
  reg = feed(reg, hi & 0xff);
  reg = feed(reg, (lo16 >>> 8) & 0xff);
  reg = feed(reg, lo16 & 0xff);
  return ((reg & 0xff) << 8) | (reg >>> 8);
}

/** Byte-swapped register, as it appears in the token (for arbitrary byte input, e.g. tests). */
export function stsCrcOfBytes(bytes: ArrayLike<number>): number {
  const reg = crc16Modbus(bytes);
  return ((reg & 0xff) << 8) | (reg >>> 8);
}
