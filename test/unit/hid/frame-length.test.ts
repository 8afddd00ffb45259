/**
 * docs/devices/card-reader.md §2: LEN = number of BODY bytes, 1 … 1024. Both ends of the rule, for
 * the encoder and the streaming parser, so an off-by-one in either direction fails here.
 */
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import { crc16CcittFalse } from '../../../kiosk-drivers/hid/crc16.js';
import { encodeFrame, MAX_BODY_LENGTH } from '../../../kiosk-drivers/hid/frame.js';
import { FrameParser, type ParseEvent } from '../../../kiosk-drivers/hid/frame-parser.js';

/**
 * A frame built by hand from §2 (not by encodeFrame), with a correct CRC and ETX, so the only thing
 * that can be wrong with it is its length. Body: command 0x20, then 0x55 filler (no 02 anywhere).
 */
function handBuiltFrame(bodyLength: number): Uint8Array {
  const f = new Uint8Array(bodyLength + 6);
  f[0] = 0x02;
  f[1] = bodyLength >> 8;
  f[2] = bodyLength & 0xff;
  f.fill(0x55, 3, 3 + bodyLength);
  f[3] = 0x20;
  const crc = crc16CcittFalse(f, 1, 3 + bodyLength);
  f[3 + bodyLength] = crc >> 8;
  f[4 + bodyLength] = crc & 0xff;
  f[5 + bodyLength] = 0x03;
  return f;
}

const summary = (evs: ParseEvent[]): string[] =>
  evs.map((e) => (e.kind === 'frame' ? `frame:${e.frame.data.length + 1}` : `${e.error.code}:${String(e.error.details.length ?? '')}`));

describe('frame length limit: exactly 1024 body bytes is a frame, 1025 is not', () => {
  it('the documented limit is 1024', () => {
    expect(MAX_BODY_LENGTH).toBe(1024);
  });

  it('encode: a 1024-byte body (command + 1023 data bytes) is encoded, LEN 04 00, byte for byte as §2 says', () => {
    const data = new Uint8Array(1023).fill(0x55);
    const frame = encodeFrame(0x20, data);
    expect(frame.length).toBe(1024 + 6);
    expect([frame[1], frame[2]]).toEqual([0x04, 0x00]);
    expect(frame).toEqual(handBuiltFrame(1024));
  });

  it('encode: a 1025-byte body is refused with hid.bad_length', () => {
    let err: unknown;
    try {
      encodeFrame(0x20, new Uint8Array(1024));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeviceError);
    expect(err).toMatchObject({ code: 'hid.bad_length', details: { length: 1025 } });
  });

  it('parse: LEN 1024 with a good CRC and ETX is a frame', () => {
    const p = new FrameParser();
    const evs = p.push(handBuiltFrame(1024));
    expect(summary(evs)).toEqual(['frame:1024']);
    expect(p.pending).toBe(false);
  });

  it('parse: LEN 1025, otherwise perfect, is hid.bad_length and never a frame', () => {
    const p = new FrameParser();
    const evs = p.push(handBuiltFrame(1025));
    expect(summary(evs)[0]).toBe('hid.bad_length:1025');
    expect(evs.filter((e) => e.kind === 'frame')).toEqual([]);
  });

  it('parse: refused at the LEN bytes, without waiting for the 1031 bytes such a frame would take', () => {
    const p = new FrameParser();
    expect(summary(p.push(handBuiltFrame(1025).subarray(0, 3)))).toEqual(['hid.bad_length:1025']);
    // …whereas LEN 1024 waits for the rest of its frame.
    const q = new FrameParser();
    expect(q.push(handBuiltFrame(1024).subarray(0, 3))).toEqual([]);
    expect(q.pending).toBe(true);
  });
});
