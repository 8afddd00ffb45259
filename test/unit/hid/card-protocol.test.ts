import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import {
  cardRequest,
  cardResponse,
  CARD_COMMAND,
  CARD_STATUS,
  decodeRequest,
  encodeResponse,
  isNak,
  NAK_COMMAND,
  NAK_SEQ,
  nextSeq,
  responseSeq,
} from '../../../kiosk-drivers/hid/card-protocol.js';
import { crc16CcittFalse } from '../../../kiosk-drivers/hid/crc16.js';
import { encodeFrame, type Frame } from '../../../kiosk-drivers/hid/frame.js';
import { FrameParser, type ParseEvent } from '../../../kiosk-drivers/hid/frame-parser.js';
import { ReportDecoder, splitIntoReports, toOutputReport } from '../../../kiosk-drivers/hid/report.js';
import { exampleTable, expandRuns, hex, readDoc, toHex } from './doc-examples.js';

// Every frame below is read out of docs/devices/card-reader.md §4 (see doc-examples.ts).
const DOC = readDoc('card-reader.md');
const EXAMPLES = exampleTable(DOC);
function example(id: string): string {
  const v = EXAMPLES.get(id);
  if (v === undefined) throw new Error(`docs/devices/card-reader.md has no example "${id}"`);
  return v;
}
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

const REQUESTS: ReadonlyArray<readonly [string, () => Uint8Array]> = [
  ['status-req', () => cardRequest.status(1)],
  ['uid-req', () => cardRequest.uid(2)],
  ['read-req', () => cardRequest.readBlock(4, key, 3)],
  ['write-req', () => cardRequest.writeBlock(8, key, hex('00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F'), 4)],
  ['apdu-req', () => cardRequest.apdu(hex('00 84 00 00 08'), 5)],
  ['beep-req', () => cardRequest.beep(100, 6)],
  ['led-req', () => cardRequest.led(true, false, 7)],
];

/** Each documented response: how the simulator encodes it, and what the driver decodes from it. */
const RESPONSES: ReadonlyArray<readonly [string, () => Uint8Array, (f: Frame) => unknown]> = [
  [
    'status-present',
    () => encodeResponse(CARD_COMMAND.status, CARD_STATUS.ok, hex('01 02'), 1),
    (f) => expect(cardResponse.status(f)).toEqual({ present: true, type: 'contactless' }),
  ],
  [
    'status-none',
    () => encodeResponse(CARD_COMMAND.status, CARD_STATUS.ok, hex('00 00'), 1),
    (f) => expect(cardResponse.status(f)).toEqual({ present: false, type: 'none' }),
  ],
  [
    'uid-ok',
    () => encodeResponse(CARD_COMMAND.uid, CARD_STATUS.ok, hex('A1 B2 C3 D4'), 2),
    (f) => expect(toHex(cardResponse.uid(f))).toBe('A1 B2 C3 D4'),
  ],
  ['uid-no-card', () => encodeResponse(CARD_COMMAND.uid, CARD_STATUS.noCard, undefined, 2), (f) => expectCode(() => cardResponse.uid(f), 'card.absent')],
  [
    'read-ok',
    () => encodeResponse(CARD_COMMAND.readBlock, CARD_STATUS.ok, Uint8Array.from({ length: 16 }, (_, i) => 0x10 + i), 3),
    (f) => expect(toHex(cardResponse.readBlock(f))).toBe('10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F'),
  ],
  [
    'read-auth-failed',
    () => encodeResponse(CARD_COMMAND.readBlock, CARD_STATUS.authFailed, undefined, 3),
    (f) => expectCode(() => cardResponse.readBlock(f), 'card.auth_failed'),
  ],
  ['write-ok', () => encodeResponse(CARD_COMMAND.writeBlock, CARD_STATUS.ok, undefined, 4), (f) => cardResponse.ack(f, CARD_COMMAND.writeBlock)],
  [
    'write-removed',
    () => encodeResponse(CARD_COMMAND.writeBlock, CARD_STATUS.cardRemoved, undefined, 4),
    (f) => expectCode(() => cardResponse.ack(f, CARD_COMMAND.writeBlock), 'card.removed'),
  ],
  [
    'apdu-ok',
    () => encodeResponse(CARD_COMMAND.apdu, CARD_STATUS.ok, hex('11 22 33 44 55 66 77 88 90 00'), 5),
    (f) => expect(toHex(cardResponse.apdu(f))).toBe('11 22 33 44 55 66 77 88 90 00'),
  ],
  ['beep-ok', () => encodeResponse(CARD_COMMAND.beep, CARD_STATUS.ok, undefined, 6), (f) => cardResponse.ack(f, CARD_COMMAND.beep)],
  ['led-ok', () => encodeResponse(CARD_COMMAND.led, CARD_STATUS.ok, undefined, 7), (f) => cardResponse.ack(f, CARD_COMMAND.led)],
  ['unknown', () => encodeResponse(0x55, CARD_STATUS.unknownCommand, undefined, 8), (f) => expectCode(() => cardResponse.ack(f, 0x55), 'hid.unsupported_command')],
  ['nak', () => encodeResponse(NAK_COMMAND, CARD_STATUS.checksum), (f) => expect(isNak(f)).toBe(true)],
];

describe('docs/devices/card-reader.md §4 worked examples', () => {
  it('every documented example is checked here, and every checked one is documented', () => {
    const checked = [...REQUESTS, ...RESPONSES].map(([id]) => id).sort();
    expect([...EXAMPLES.keys()].sort()).toEqual(checked);
  });

  it.each(REQUESTS)('request %s', (id, build) => {
    const expected = example(id);
    const bytes = build();
    expect(toHex(bytes)).toBe(expected);
    const f = parseOne(hex(expected));
    expect(toHex(encodeFrame(f.command, f.data))).toBe(expected);
    // The SEQ the doc names is the one the frame carries.
    const req = decodeRequest(f);
    expect(req?.seq).toBe(REQUESTS.findIndex(([i]) => i === id) + 1);
  });

  it.each(RESPONSES)('response %s', (id, encode, check) => {
    const expected = example(id);
    expect(toHex(encode())).toBe(expected);
    check(parseOne(hex(expected)));
  });

  it('responses echo the SEQ of the request they answer', () => {
    expect(responseSeq(parseOne(hex(example('read-ok'))))).toBe(decodeRequest(parseOne(hex(example('read-req'))))?.seq);
    expect(responseSeq(parseOne(hex(example('nak'))))).toBe(NAK_SEQ);
  });

  it('rejects malformed requests with typed errors', () => {
    expectCode(() => cardRequest.apdu(hex('00 84 00')), 'hid.bad_length');
    expectCode(() => cardRequest.writeBlock(8, key, new Uint8Array(15)), 'hid.bad_length');
    expectCode(() => cardRequest.readBlock(300, key), 'hid.bad_length');
    expectCode(() => cardRequest.status(0), 'hid.bad_length');
    expectCode(() => cardRequest.status(256), 'hid.bad_length');
    expectCode(() => encodeFrame(0x20, new Uint8Array(1024)), 'hid.bad_length');
  });

  it('a response to another command is a bad frame, not a match', () => {
    expectCode(() => cardResponse.uid(parseOne(hex(example('write-ok')))), 'hid.bad_frame');
  });

  it('a response too short to hold a status is a bad frame', () => {
    expectCode(() => cardResponse.ack(parseOne(encodeFrame(0xb1, Uint8Array.of(4))), CARD_COMMAND.writeBlock), 'hid.bad_frame');
  });

  it('sequence numbers run 01…FF and skip the NAK\'s 00', () => {
    expect(nextSeq(1)).toBe(2);
    expect(nextSeq(0xfe)).toBe(0xff);
    expect(nextSeq(0xff)).toBe(1);
    expect(nextSeq(0)).toBe(1);
  });
});

describe('report layer (doc §1)', () => {
  const apdu = Uint8Array.from([0x00, 0xd6, 0x00, 0x00, 0x40, ...Array.from({ length: 64 }, (_, i) => i)]);
  const frame = cardRequest.apdu(apdu, 9);

  it('splits the UPDATE BINARY frame into the two documented reports', () => {
    const lines = new Map(
      [...DOC.matchAll(/^report (\d): ((?:[0-9A-F]{2}|…)(?: (?:[0-9A-F]{2}|…))*)/gm)].map((m) => [m[1], m[2] ?? '']),
    );
    // A trailing "00 …" is the zero padding; a "…" between two bytes is a run.
    const r1 = expandRuns(lines.get('1') ?? '');
    const r2 = expandRuns((lines.get('2') ?? '').replace(/ 00 …$/, ''));
    expect(r1.split(' ')).toHaveLength(64);
    expect(frame.length).toBe(77);
    const reports = splitIntoReports(frame);
    expect(reports).toHaveLength(2);
    expect(toHex(reports[0] as Uint8Array)).toBe(r1);
    const shown = r2.split(' ').length;
    expect(toHex((reports[1] as Uint8Array).subarray(0, shown))).toBe(r2);
    expect((reports[1] as Uint8Array).subarray(shown).every((b) => b === 0)).toBe(true);
  });

  it('writes 65 bytes with report ID 0 first', () => {
    const out = toOutputReport(splitIntoReports(cardRequest.status())[0] as Uint8Array);
    expect(out.length).toBe(65);
    expect(toHex(out.subarray(0, 10))).toBe(`00 08 ${example('status-req')}`);
  });

  it('reassembles a multi-report frame', () => {
    const dec = new ReportDecoder();
    const [r1, r2] = splitIntoReports(frame) as [Uint8Array, Uint8Array];
    expect(dec.pushReport(r1)).toEqual([]);
    const ev = dec.pushReport(r2);
    expect(ev).toHaveLength(1);
    expect(ev[0]?.kind === 'frame' && toHex(ev[0].frame.data)).toBe(toHex(Uint8Array.from([9, ...apdu])));
  });

  it('reports a truncated frame when a new frame starts, and still decodes the new one', () => {
    const dec = new ReportDecoder();
    const [r1] = splitIntoReports(frame) as [Uint8Array];
    dec.pushReport(r1);
    const ev = dec.pushReport(splitIntoReports(cardRequest.uid())[0] as Uint8Array);
    // The abandoned frame's bytes are rescanned (its data holds stray 02s), then the new one decodes.
    const codes = ev.map((e) => (e.kind === 'error' ? e.error.code : 'frame'));
    expect(codes[0]).toBe('hid.bad_frame');
    expect((ev[0] as { error: DeviceError }).error.details.reason).toBe('truncated');
    expect(codes.filter((c) => c === 'frame')).toEqual(['frame']);
    expect(codes.at(-1)).toBe('frame');
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
  const codesOf = (evs: ParseEvent[]): string[] =>
    evs.map((e) => (e.kind === 'error' ? `${e.error.code}${e.error.details.reason ? `:${String(e.error.details.reason)}` : ''}` : `frame:${e.frame.command.toString(16)}`));

  it('decodes byte by byte', () => {
    const p = new FrameParser();
    const all = [];
    for (const b of hex(example('uid-ok'))) all.push(...p.push(Uint8Array.of(b)));
    expect(codesOf(all)).toEqual(['frame:91']);
  });

  it('skips garbage, then resynchronises after bad length, bad ETX and bad CRC', () => {
    // READ_BLOCK's request holds no 02 after its STX, so the rescans find nothing in between.
    const good = hex(example('read-req'));
    const badEtx = good.slice();
    badEtx[badEtx.length - 1] = 0x04;
    const badCrc = good.slice();
    badCrc[badCrc.length - 2] = (badCrc[badCrc.length - 2] as number) ^ 1;
    const stream = Uint8Array.from([0xaa, 0xbb, 0x02, 0xff, 0xff, ...badEtx, ...badCrc, ...good]);
    const p = new FrameParser();
    expect(codesOf(p.push(stream))).toEqual(['hid.bad_length', 'hid.bad_frame:bad_etx', 'hid.checksum', 'frame:30']);
    expect(p.skippedBytes).toBeGreaterThanOrEqual(2);
    expect(p.pending).toBe(false);
  });

  it('finds a real frame that starts inside a frame with a bad ETX', () => {
    // A stray STX claims 8 body bytes; the real frame sits inside its span.
    const stream = Uint8Array.from([0x02, 0x00, 0x08, ...hex(example('status-req')), 0x00, 0x00, 0x00, 0x00, 0x00]);
    expect(codesOf(new FrameParser().push(stream))).toEqual(['hid.bad_frame:bad_etx', 'frame:10']);
  });

  it('finds a real frame inside a stray candidate whose CRC fails with 03 in the ETX place', () => {
    // 02 00 08 + an 11-byte response: the candidate's ETX position is the real frame's 03.
    const real = hex(example('status-present'));
    const stream = Uint8Array.from([0x02, 0x00, 0x08, ...real]);
    expect(codesOf(new FrameParser().push(stream))).toEqual(['hid.checksum', 'frame:90']);
  });

  it('a stray 02 00 30 before a STATUS reply in one report: the reply is decoded, nothing stays pending', () => {
    const dec = new ReportDecoder();
    const [report] = splitIntoReports(Uint8Array.from([0x02, 0x00, 0x30, ...hex(example('status-present'))]));
    const evs = dec.pushReport(report as Uint8Array);
    expect(codesOf(evs)).toEqual(['hid.bad_frame:incomplete', 'frame:90']);
    expect(dec.parser.pending).toBe(false);
  });

  it('a full report may continue: a frame split over reports is not abandoned early', () => {
    const dec = new ReportDecoder();
    const big = cardRequest.apdu(Uint8Array.from({ length: 100 }, (_, i) => (i === 40 ? 0x02 : i)), 9);
    const evs = splitIntoReports(big).flatMap((r) => dec.pushReport(r));
    expect(codesOf(evs)).toEqual(['frame:20']);
  });
});
