/**
 * Commands and status codes of GridDesk's card-reader protocol (docs/devices/card-reader.md §3–4).
 * Request builders return complete frames; response decoders check command echo and status and
 * return typed results. Pure.
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

export const cardRequest = {
  status: (): Uint8Array => encodeFrame(CARD_COMMAND.status),
  uid: (): Uint8Array => encodeFrame(CARD_COMMAND.uid),
  apdu: (capdu: Uint8Array): Uint8Array => {
    if (capdu.length < 4 || capdu.length > MAX_APDU) bad({ apduLength: capdu.length });
    return encodeFrame(CARD_COMMAND.apdu, capdu);
  },
  readBlock: (block: number, key: SectorKey): Uint8Array =>
    encodeFrame(CARD_COMMAND.readBlock, Uint8Array.from(keyBytes(block, key))),
  writeBlock: (block: number, key: SectorKey, data: Uint8Array): Uint8Array => {
    if (data.length !== BLOCK_SIZE) bad({ dataLength: data.length });
    return encodeFrame(CARD_COMMAND.writeBlock, Uint8Array.from([...keyBytes(block, key), ...data]));
  },
  beep: (durationMs: number): Uint8Array =>
    encodeFrame(CARD_COMMAND.beep, Uint8Array.of(Math.max(0, Math.min(255, Math.round(durationMs / 10))))),
  led: (green: boolean, red: boolean): Uint8Array =>
    encodeFrame(CARD_COMMAND.led, Uint8Array.of((green ? 1 : 0) | (red ? 2 : 0))),
} as const;

/** Builds a response frame (used by the simulator and by tests). */
export function encodeResponse(command: number, status: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const body = new Uint8Array(1 + data.length);
  body[0] = status;
  body.set(data, 1);
  return encodeFrame(command === NAK_COMMAND ? NAK_COMMAND : command | RESPONSE_FLAG, body);
}

export function isNak(frame: Frame): boolean {
  return frame.command === NAK_COMMAND && frame.data[0] === CARD_STATUS.checksum;
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
 * Throws the mapped DeviceError otherwise.
 */
export function expectOk(frame: Frame, command: number): Uint8Array {
  if (frame.command !== (command | RESPONSE_FLAG)) {
    throw new DeviceError('hid.bad_frame', { reason: 'unexpected_command', command: frame.command });
  }
  if (frame.data.length < 1) throw new DeviceError('hid.bad_frame', { reason: 'no_status' });
  const status = frame.data[0] as number;
  if (status !== CARD_STATUS.ok) throw new DeviceError(statusErrorCode(status), { status, command });
  return frame.data.subarray(1);
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
