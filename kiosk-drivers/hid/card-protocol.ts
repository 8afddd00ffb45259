/**
 * Commands and status codes of GridDesk's card-reader protocol (docs/devices/card-reader.md §2–4).
 * Request BODY = CMD SEQ DATA…, response BODY = CMD|0x80 SEQ STATUS DATA…: the reader echoes the
 * request's sequence byte so a late answer to a timed-out command can never pass for the answer to
 * the next command of the same type. Request builders return complete frames; response decoders
 * check command echo and status and return typed results. Pure.
 */
import { DeviceError, type DeviceErrorCode } from '../errors.js';
import { encodeFrame, type Frame } from './frame.js';

export const CARD_COMMAND = {
  status: 0x10,
  uid: 0x11,
  apdu: 0x20,
  readBlock: 0x30,
  writeBlock: 0x31,
  beep: 0x40,
  led: 0x41,
} as const;
export type CardCommandName = keyof typeof CARD_COMMAND;

export const RESPONSE_FLAG = 0x80;
/** The reader's answer to a frame it could not parse: it cannot trust the command byte. */
export const NAK_COMMAND = 0xff;
/** SEQ of a NAK: the reader could not read the request's SEQ either. Hosts never send it. */
export const NAK_SEQ = 0x00;
/** Hosts number requests 01…FF and wrap back to 01. */
export const FIRST_SEQ = 0x01;

/** The sequence number after `seq`, skipping the NAK's 00. */
export function nextSeq(seq: number): number {
  return seq >= 0xff || seq < FIRST_SEQ ? FIRST_SEQ : seq + 1;
}

function checkSeq(seq: number): number {
  if (!Number.isInteger(seq) || seq < FIRST_SEQ || seq > 0xff) throw new DeviceError('hid.bad_length', { seq });
  return seq;
}

function withSeq(seq: number, data: ArrayLike<number> = []): Uint8Array {
  const out = new Uint8Array(1 + data.length);
  out[0] = seq;
  out.set(data, 1);
  return out;
}

export const CARD_STATUS = {
  ok: 0x00,
  noCard: 0x01,
  authFailed: 0x02,
  checksum: 0x03,
  unknownCommand: 0x04,
  cardRemoved: 0x05,
  badParameter: 0x06,
  cardError: 0x07,
} as const;

export const CARD_TYPE = { none: 0x00, contactCpu: 0x01, contactless: 0x02 } as const;
export type CardType = 'none' | 'contact_cpu' | 'contactless';

export const KEY_TYPE = { a: 0x60, b: 0x61 } as const;
export const BLOCK_SIZE = 16;
export const SECTOR_KEY_SIZE = 6;
export const MAX_APDU = 261;

export interface SectorKey {
  readonly type: 'a' | 'b';
  /** 6 bytes. */
  readonly key: Uint8Array;
}

export interface CardPresence {
  readonly present: boolean;
  readonly type: CardType;
}

function bad(details: Record<string, string | number>): never {
  throw new DeviceError('hid.bad_length', details);
}

function keyBytes(block: number, key: SectorKey): number[] {
  if (!Number.isInteger(block) || block < 0 || block > 255) bad({ block });
  if (key.key.length !== SECTOR_KEY_SIZE) bad({ keyLength: key.key.length });
  return [block, KEY_TYPE[key.type], ...key.key];
}

/**
 * Request frames. `seq` (01…FF) is echoed by the reader; the driver gives every frame it writes a
 * fresh one. It defaults to 01 for callers that only want the bytes (tests, benchmarks).
 */
export const cardRequest = {
  status: (seq: number = FIRST_SEQ): Uint8Array => encodeFrame(CARD_COMMAND.status, withSeq(checkSeq(seq))),
  uid: (seq: number = FIRST_SEQ): Uint8Array => encodeFrame(CARD_COMMAND.uid, withSeq(checkSeq(seq))),
  apdu: (capdu: Uint8Array, seq: number = FIRST_SEQ): Uint8Array => {
    if (capdu.length < 4 || capdu.length > MAX_APDU) bad({ apduLength: capdu.length });
    return encodeFrame(CARD_COMMAND.apdu, withSeq(checkSeq(seq), capdu));
  },
  readBlock: (block: number, key: SectorKey, seq: number = FIRST_SEQ): Uint8Array =>
    encodeFrame(CARD_COMMAND.readBlock, withSeq(checkSeq(seq), keyBytes(block, key))),
  writeBlock: (block: number, key: SectorKey, data: Uint8Array, seq: number = FIRST_SEQ): Uint8Array => {
    if (data.length !== BLOCK_SIZE) bad({ dataLength: data.length });
    return encodeFrame(CARD_COMMAND.writeBlock, withSeq(checkSeq(seq), [...keyBytes(block, key), ...data]));
  },
  beep: (durationMs: number, seq: number = FIRST_SEQ): Uint8Array =>
    encodeFrame(
      CARD_COMMAND.beep,
      withSeq(checkSeq(seq), [Math.max(0, Math.min(255, Math.round(durationMs / 10)))]),
    ),
  led: (green: boolean, red: boolean, seq: number = FIRST_SEQ): Uint8Array =>
    encodeFrame(CARD_COMMAND.led, withSeq(checkSeq(seq), [(green ? 1 : 0) | (red ? 2 : 0)])),
} as const;

/** A request as the reader sees it: command, the SEQ to echo, and the command's own data. */
export interface CardRequestFrame {
  readonly command: number;
  readonly seq: number;
  readonly data: Uint8Array;
}

/** Splits a request frame's BODY; null when it is too short to carry a SEQ. */
export function decodeRequest(frame: Frame): CardRequestFrame | null {
  if (frame.data.length < 1) return null;
  return { command: frame.command, seq: frame.data[0] as number, data: frame.data.subarray(1) };
}

/**
 * Builds a response frame (used by the simulator and by tests). `seq` echoes the request's; a NAK
 * always carries NAK_SEQ.
 */
export function encodeResponse(
  command: number,
  status: number,
  data: Uint8Array = new Uint8Array(0),
  seq: number = FIRST_SEQ,
): Uint8Array {
  const nak = command === NAK_COMMAND;
  const body = new Uint8Array(2 + data.length);
  body[0] = nak ? NAK_SEQ : seq & 0xff;
  body[1] = status;
  body.set(data, 2);
  return encodeFrame(nak ? NAK_COMMAND : command | RESPONSE_FLAG, body);
}

/** The SEQ a response echoes, or null when the frame is too short to carry one. */
export function responseSeq(frame: Frame): number | null {
  return frame.data.length >= 1 ? (frame.data[0] as number) : null;
}

export function isNak(frame: Frame): boolean {
  return frame.command === NAK_COMMAND && frame.data[0] === NAK_SEQ && frame.data[1] === CARD_STATUS.checksum;
}

export function statusErrorCode(status: number): DeviceErrorCode {
  switch (status) {
    case CARD_STATUS.noCard:
      return 'card.absent';
    case CARD_STATUS.authFailed:
      return 'card.auth_failed';
    case CARD_STATUS.checksum:
      return 'hid.checksum';
    case CARD_STATUS.unknownCommand:
      return 'hid.unsupported_command';
    case CARD_STATUS.cardRemoved:
      return 'card.removed';
    case CARD_STATUS.cardError:
      return 'card.io_error';
    default:
      return 'hid.status_error';
  }
}

/**
 * Checks that `frame` answers `command` and carries OK; returns the data after the status byte.
 * Throws the mapped DeviceError otherwise. (SEQ matching is the driver's job: it knows which
 * request is in flight.)
 */
export function expectOk(frame: Frame, command: number): Uint8Array {
  if (frame.command !== (command | RESPONSE_FLAG)) {
    throw new DeviceError('hid.bad_frame', { reason: 'unexpected_command', command: frame.command });
  }
  if (frame.data.length < 2) throw new DeviceError('hid.bad_frame', { reason: 'no_status' });
  const status = frame.data[1] as number;
  if (status !== CARD_STATUS.ok) throw new DeviceError(statusErrorCode(status), { status, command });
  return frame.data.subarray(2);
}

export const cardResponse = {
  status(frame: Frame): CardPresence {
    const d = expectOk(frame, CARD_COMMAND.status);
    if (d.length !== 2) throw new DeviceError('hid.bad_frame', { reason: 'status_length', length: d.length });
    const present = d[0] === 1;
    const t = d[1];
    const type: CardType = !present
      ? 'none'
      : t === CARD_TYPE.contactCpu
        ? 'contact_cpu'
        : t === CARD_TYPE.contactless
          ? 'contactless'
          : 'none';
    return { present: present && type !== 'none', type };
  },
  uid(frame: Frame): Uint8Array {
    const d = expectOk(frame, CARD_COMMAND.uid);
    if (d.length !== 4 && d.length !== 7 && d.length !== 10) {
      throw new DeviceError('hid.bad_frame', { reason: 'uid_length', length: d.length });
    }
    return d.slice();
  },
  apdu(frame: Frame): Uint8Array {
    const d = expectOk(frame, CARD_COMMAND.apdu);
    if (d.length < 2) throw new DeviceError('hid.bad_frame', { reason: 'rapdu_length', length: d.length });
    return d.slice();
  },
  readBlock(frame: Frame): Uint8Array {
    const d = expectOk(frame, CARD_COMMAND.readBlock);
    if (d.length !== BLOCK_SIZE) throw new DeviceError('hid.bad_frame', { reason: 'block_length', length: d.length });
    return d.slice();
  },
  ack(frame: Frame, command: number): void {
    expectOk(frame, command);
  },
} as const;
