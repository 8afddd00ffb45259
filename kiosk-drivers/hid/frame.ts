/**
 * Frame layer of GridDesk's card-reader protocol (docs/devices/card-reader.md §2):
 * STX LEN_HI LEN_LO BODY CRC_HI CRC_LO ETX, CRC-16/CCITT-FALSE over LEN and BODY. Pure.
 */
import { DeviceError } from '../errors.js';
import { crc16CcittFalse } from './crc16.js';

export const STX = 0x02;
export const ETX = 0x03;
export const MAX_BODY_LENGTH = 1024;
/** STX + LEN(2) + CRC(2) + ETX. */
export const FRAME_OVERHEAD = 6;

/** A decoded frame: `command` is the first body byte, `data` the rest. */
export interface Frame {
  readonly command: number;
  readonly data: Uint8Array;
}

/** Encodes one frame. Throws DeviceError('hid.bad_length') if the body does not fit. */
export function encodeFrame(command: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const len = 1 + data.length;
  if (len > MAX_BODY_LENGTH || command < 0 || command > 0xff) {
    throw new DeviceError('hid.bad_length', { length: len, command });
  }
  const out = new Uint8Array(len + FRAME_OVERHEAD);
  out[0] = STX;
  out[1] = len >> 8;
  out[2] = len & 0xff;
  out[3] = command;
  out.set(data, 4);
  const crc = crc16CcittFalse(out, 1, 3 + len);
  out[3 + len] = crc >> 8;
  out[4 + len] = crc & 0xff;
  out[5 + len] = ETX;
  return out;
}
