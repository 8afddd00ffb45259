import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import {
  cardRequest,
  cardResponse,
  CARD_COMMAND,
  CARD_STATUS,
  encodeResponse,
  NAK_COMMAND,
} from '../../../kiosk-drivers/hid/card-protocol.js';
import { crc16CcittFalse } from '../../../kiosk-drivers/hid/crc16.js';
import { encodeFrame, type Frame } from '../../../kiosk-drivers/hid/frame.js';
import { FrameParser } from '../../../kiosk-drivers/hid/frame-parser.js';
import { ReportDecoder, splitIntoReports, toOutputReport } from '../../../kiosk-drivers/hid/report.js';

// Every hex string here is copied from docs/devices/card-reader.md §4.
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'));
const toHex = (b: Uint8Array): string =>
  Buffer.from(b)
    .toString('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1 ');
const key = { type: 'a' as const, key: hex('FF FF FF FF FF FF') };

function parseOne(bytes: Uint8Array): Frame {
  const events = new FrameParser().push(bytes);
  expect(events).toHaveLength(1);
  const ev = events[0];
  if (!ev || ev.kind !== 'frame') throw new Error(`expected a frame, got ${JSON.stringify(ev)}`);
  return ev.frame;
}

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe('CRC-16/CCITT-FALSE', () => {
  it('has the catalogue check value', () => {
    expect(crc16CcittFalse(new TextEncoder().encode('123456789'))).toBe(0x29b1);
  });
});

describe('request frames (doc §4)', () => {
  it.each([
    ['STATUS', () => cardRequest.status(), '02 00 01 10 ED 9C 03'],
    ['UID', () => cardRequest.uid(), '02 00 01 11 FD BD 03'],
    ['READ_BLOCK 4', () => cardRequest.readBlock(4, key), '02 00 09 30 04 60 FF FF FF FF FF FF 2E AB 03'],
    [
      'WRITE_BLOCK 8',
      () => cardRequest.writeBlock(8, key, hex('00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F')),
      '02 00 19 31 08 60 FF FF FF FF FF FF 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 9D AA 03',
    ],
    ['APDU GET CHALLENGE', () => cardRequest.apdu(hex('00 84 00 00 08')), '02 00 06 20 00 84 00 00 08 33 D2 03'],
    ['BEEP 100 ms', () => cardRequest.beep(100), '02 00 02 40 0A 46 26 03'],
    ['LED green', () => cardRequest.led(true, false), '02 00 02 41 01 C4 7C 03'],
  ])('%s', (_name, build, expected) => {
    const bytes = build();
    expect(toHex(bytes)).toBe(expected);
    const f = parseOne(bytes);
    expect(toHex(encodeFrame(f.command, f.data))).toBe(expected);
  });

  it('rejects malformed requests with typed errors', () => {
    expectCode(() => cardRequest.apdu(hex('00 84 00')), 'hid.bad_length');
    expectCode(() => cardRequest.writeBlock(8, key, new Uint8Array(15)), 'hid.bad_length');
    expectCode(() => cardRequest.readBlock(300, key), 'hid.bad_length');
    expectCode(() => encodeFrame(0x20, new Uint8Array(1024)), 'hid.bad_length');
  });
});

describe('response frames (doc §4)', () => {
  it('STATUS with a contactless card', () => {
    const bytes = hex('02 00 04 90 00 01 02 52 FA 03');
    expect(toHex(encodeResponse(CARD_COMMAND.status, CARD_STATUS.ok, hex('01 02')))).toBe(toHex(bytes));
    expect(cardResponse.status(parseOne(bytes))).toEqual({ present: true, type: 'contactless' });
  });
  it('STATUS with no card', () => {
    expect(cardResponse.status(parseOne(hex('02 00 04 90 00 00 00 41 89 03')))).toEqual({ present: false, type: 'none' });
  });
  it('UID', () => {
    const bytes = hex('02 00 06 91 00 A1 B2 C3 D4 DF BC 03');
    expect(toHex(encodeResponse(CARD_COMMAND.uid, CARD_STATUS.ok, hex('A1 B2 C3 D4')))).toBe(toHex(bytes));
    expect(toHex(cardResponse.uid(parseOne(bytes)))).toBe('A1 B2 C3 D4');
  });
  it('UID with NO_CARD → card.absent', () => {
    expect(toHex(encodeResponse(CARD_COMMAND.uid, CARD_STATUS.noCard))).toBe('02 00 02 91 01 D1 5B 03');
    expectCode(() => cardResponse.uid(parseOne(hex('02 00 02 91 01 D1 5B 03'))), 'card.absent');
  });
  it('READ_BLOCK data and AUTH_FAILED', () => {
    const ok = hex('02 00 12 B0 00 10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F 9E A9 03');
    expect(toHex(cardResponse.readBlock(parseOne(ok)))).toBe('10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F');
    expect(toHex(encodeResponse(CARD_COMMAND.readBlock, CARD_STATUS.authFailed))).toBe('02 00 02 B0 02 D4 EF 03');
    expectCode(() => cardResponse.readBlock(parseOne(hex('02 00 02 B0 02 D4 EF 03'))), 'card.auth_failed');
  });
  it('WRITE_BLOCK OK and CARD_REMOVED', () => {
    expect(toHex(encodeResponse(CARD_COMMAND.writeBlock, CARD_STATUS.ok))).toBe('02 00 02 B1 00 C7 9C 03');
    cardResponse.ack(parseOne(hex('02 00 02 B1 00 C7 9C 03')), CARD_COMMAND.writeBlock);
    expect(toHex(encodeResponse(CARD_COMMAND.writeBlock, CARD_STATUS.cardRemoved))).toBe('02 00 02 B1 05 97 39 03');
    expectCode(() => cardResponse.ack(parseOne(hex('02 00 02 B1 05 97 39 03')), CARD_COMMAND.writeBlock), 'card.removed');
  });
  it('APDU response', () => {
    const bytes = hex('02 00 0C A0 00 11 22 33 44 55 66 77 88 90 00 15 D3 03');
    expect(toHex(encodeResponse(CARD_COMMAND.apdu, CARD_STATUS.ok, hex('11 22 33 44 55 66 77 88 90 00')))).toBe(
      toHex(bytes),
    );
    expect(toHex(cardResponse.apdu(parseOne(bytes)))).toBe('11 22 33 44 55 66 77 88 90 00');
  });
  it('BEEP, LED, UNKNOWN_COMMAND, NAK', () => {
    expect(toHex(encodeResponse(CARD_COMMAND.beep, CARD_STATUS.ok))).toBe('02 00 02 C0 00 FC F4 03');
    expect(toHex(encodeResponse(CARD_COMMAND.led, CARD_STATUS.ok))).toBe('02 00 02 C1 00 CF C5 03');
    expect(toHex(encodeResponse(0x55, CARD_STATUS.unknownCommand))).toBe('02 00 02 D5 04 40 F6 03');
    expectCode(() => cardResponse.ack(parseOne(hex('02 00 02 D5 04 40 F6 03')), 0x55), 'hid.unsupported_command');
    expect(toHex(encodeResponse(NAK_COMMAND, CARD_STATUS.checksum))).toBe('02 00 02 FF 03 D9 3C 03');
  });
  it('a response to another command is a bad frame, not a match', () => {
    expectCode(() => cardResponse.uid(parseOne(hex('02 00 02 B1 00 C7 9C 03'))), 'hid.bad_frame');
  });
});

describe('report layer (doc §1)', () => {
  const apdu = Uint8Array.from([0x00, 0xd6, 0x00, 0x00, 0x40, ...Array.from({ length: 64 }, (_, i) => i)]);
  const frame = cardRequest.apdu(apdu);

  it('splits the 76-byte UPDATE BINARY frame into the two documented reports', () => {
    expect(frame.length).toBe(76);
    const reports = splitIntoReports(frame);
    expect(reports).toHaveLength(2);
    expect(toHex(reports[0] as Uint8Array)).toBe(
      '3F 02 00 46 20 00 D6 00 00 40 ' +
        Array.from({ length: 54 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0')).join(' '),
    );
    expect(toHex((reports[1] as Uint8Array).subarray(0, 14))).toBe('8D 36 37 38 39 3A 3B 3C 3D 3E 3F 48 96 03');
    expect((reports[1] as Uint8Array).subarray(14).every((b) => b === 0)).toBe(true);
  });

  it('writes 65 bytes with report ID 0 first', () => {
    const out = toOutputReport(splitIntoReports(cardRequest.status())[0] as Uint8Array);
    expect(out.length).toBe(65);
    expect(toHex(out.subarray(0, 9))).toBe('00 07 02 00 01 10 ED 9C 03');
  });

  it('reassembles a multi-report frame', () => {
    const dec = new ReportDecoder();
    const [r1, r2] = splitIntoReports(frame) as [Uint8Array, Uint8Array];
    expect(dec.pushReport(r1)).toEqual([]);
    const ev = dec.pushReport(r2);
    expect(ev).toHaveLength(1);
    expect(ev[0]?.kind === 'frame' && toHex(ev[0].frame.data)).toBe(toHex(apdu));
  });

  it('reports a truncated frame when a new frame starts, and still decodes the new one', () => {
    const dec = new ReportDecoder();
    const [r1] = splitIntoReports(frame) as [Uint8Array];
    dec.pushReport(r1);
    const ev = dec.pushReport(splitIntoReports(cardRequest.uid())[0] as Uint8Array);
    expect(ev.map((e) => (e.kind === 'error' ? e.error.code : 'frame'))).toEqual(['hid.bad_frame', 'frame']);
  });

  it('rejects an orphan continuation and a bad header', () => {
    const dec = new ReportDecoder();
    const cont = new Uint8Array(64);
    cont[0] = 0x85;
    expect(dec.pushReport(cont).map((e) => e.kind === 'error' && e.error.code)).toEqual(['hid.bad_report']);
    const bad = new Uint8Array(64);
    bad[0] = 0x40 | 5;
    expect(dec.pushReport(bad).map((e) => e.kind === 'error' && e.error.code)).toEqual(['hid.bad_report']);
    expect(dec.pushReport(new Uint8Array(64))).toEqual([]);
  });
});

describe('streaming parser', () => {
  it('decodes byte by byte', () => {
    const p = new FrameParser();
    const bytes = hex('02 00 06 91 00 A1 B2 C3 D4 DF BC 03');
    const all = [];
    for (const b of bytes) all.push(...p.push(Uint8Array.of(b)));
    expect(all).toHaveLength(1);
  });

  it('skips garbage, then resynchronises after bad length, bad ETX and bad CRC', () => {
    const good = hex('02 00 01 10 ED 9C 03');
    const stream = Uint8Array.from([
      0xaa, 0xbb, // garbage
      0x02, 0xff, 0xff, // bad length
      0x02, 0x00, 0x01, 0x10, 0xed, 0x9c, 0x04, // bad ETX
      0x02, 0x00, 0x01, 0x10, 0xed, 0x9d, 0x03, // bad CRC
      ...good,
    ]);
    const p = new FrameParser();
    const codes = p.push(stream).map((e) => (e.kind === 'error' ? e.error.code : `frame:${e.frame.command}`));
    expect(codes).toEqual(['hid.bad_length', 'hid.bad_frame', 'hid.checksum', 'frame:16']);
    expect(p.skippedBytes).toBeGreaterThanOrEqual(2);
    expect(p.pending).toBe(false);
  });

  it('finds a real frame that starts inside a frame with a bad ETX', () => {
    // A stray STX claims 7 body bytes; the real frame sits inside its span.
    const stream = Uint8Array.from([0x02, 0x00, 0x07, ...hex('02 00 01 10 ED 9C 03'), 0x00, 0x00, 0x00, 0x00, 0x00]);
    const codes = new FrameParser().push(stream).map((e) => (e.kind === 'error' ? e.error.code : 'frame'));
    expect(codes).toEqual(['hid.bad_frame', 'frame']);
  });
});
