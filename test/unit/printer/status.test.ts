import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import {
  combineStatus,
  isValidStatusByte,
  parseErrorCause,
  parseOfflineCause,
  parsePaperSensor,
  parsePrinterStatus,
  statusFault,
  statusRequest,
} from '../../../kiosk-drivers/printer/status.js';

// Epson: every DLE EOT answer is 0b0xx1xx10 — bits 1 and 4 fixed 1, bits 0 and 7 fixed 0.
const OK = 0b0001_0010;

describe('statusRequest', () => {
  it('encodes DLE EOT n as 10 04 n', () => {
    expect(Array.from(statusRequest(1))).toEqual([0x10, 0x04, 0x01]);
    expect(Array.from(statusRequest(2))).toEqual([0x10, 0x04, 0x02]);
    expect(Array.from(statusRequest(3))).toEqual([0x10, 0x04, 0x03]);
    expect(Array.from(statusRequest(4))).toEqual([0x10, 0x04, 0x04]);
  });
});

describe('fixed bits', () => {
  it('accepts exactly the 16 bytes per function whose fixed bits match', () => {
    const valid = Array.from({ length: 256 }, (_, b) => b).filter(isValidStatusByte);
    expect(valid).toHaveLength(16); // 4 free bits: 2, 3, 5, 6
    for (const b of valid) expect(b & 0x01).toBe(0), expect(b & 0x80).toBe(0), expect(b & 0x12).toBe(0x12);
  });
  it.each([
    ['bit 0 set', OK | 0x01],
    ['bit 7 set', OK | 0x80],
    ['bit 1 clear', OK & ~0x02],
    ['bit 4 clear', OK & ~0x10],
    ['zero', 0x00],
    ['0xff', 0xff],
  ])('rejects a byte with %s as printer.bad_status, for every function', (_label, byte) => {
    for (const parse of [parsePrinterStatus, parseOfflineCause, parseErrorCause, parsePaperSensor]) {
      let err: unknown;
      try {
        parse(byte);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DeviceError);
      expect((err as DeviceError).code).toBe('printer.bad_status');
      expect((err as DeviceError).details.byte).toBe(byte);
    }
  });
  it('rejects non-bytes', () => {
    for (const b of [-1, 256, 1.5, Number.NaN]) expect(() => parsePrinterStatus(b)).toThrow(DeviceError);
  });
});

describe('DLE EOT 1: printer status', () => {
  it('reads bit 2 drawer pin 3, bit 3 offline, bit 5 waiting for recovery, bit 6 feed button', () => {
    expect(parsePrinterStatus(OK)).toEqual({ drawerPin3High: false, offline: false, waitingForRecovery: false, feedButtonPressed: false });
    expect(parsePrinterStatus(OK | 0x04).drawerPin3High).toBe(true);
    expect(parsePrinterStatus(0x1a)).toEqual({ drawerPin3High: false, offline: true, waitingForRecovery: false, feedButtonPressed: false });
    expect(parsePrinterStatus(OK | 0x20).waitingForRecovery).toBe(true);
    expect(parsePrinterStatus(OK | 0x40).feedButtonPressed).toBe(true);
  });
});

describe('DLE EOT 2: offline cause', () => {
  it('reads bit 2 cover open, bit 3 fed by button, bit 5 paper-end stop, bit 6 error', () => {
    expect(parseOfflineCause(OK)).toEqual({ coverOpen: false, paperFedByButton: false, stoppedForPaperEnd: false, error: false });
    expect(parseOfflineCause(0x16)).toEqual({ coverOpen: true, paperFedByButton: false, stoppedForPaperEnd: false, error: false });
    expect(parseOfflineCause(0x1a).paperFedByButton).toBe(true);
    expect(parseOfflineCause(0x32).stoppedForPaperEnd).toBe(true);
    expect(parseOfflineCause(0x52).error).toBe(true);
  });
});

describe('DLE EOT 3: error cause', () => {
  it('reads bit 3 auto-cutter, bit 5 unrecoverable, bit 6 auto-recoverable', () => {
    expect(parseErrorCause(OK)).toEqual({ autoCutterError: false, unrecoverableError: false, autoRecoverableError: false });
    expect(parseErrorCause(0x1a)).toEqual({ autoCutterError: true, unrecoverableError: false, autoRecoverableError: false });
    expect(parseErrorCause(0x32)).toEqual({ autoCutterError: false, unrecoverableError: true, autoRecoverableError: false });
    expect(parseErrorCause(0x52)).toEqual({ autoCutterError: false, unrecoverableError: false, autoRecoverableError: true });
  });
});

describe('DLE EOT 4: paper sensor', () => {
  it('reads bits 2-3 as near end and bits 5-6 as paper end', () => {
    expect(parsePaperSensor(OK)).toEqual({ paperNearEnd: false, paperOut: false });
    expect(parsePaperSensor(0x1e)).toEqual({ paperNearEnd: true, paperOut: false });
    expect(parsePaperSensor(0x72)).toEqual({ paperNearEnd: false, paperOut: true });
    expect(parsePaperSensor(0x7e)).toEqual({ paperNearEnd: true, paperOut: true });
    // Clones that set only one bit of a pair.
    expect(parsePaperSensor(0x16).paperNearEnd).toBe(true);
    expect(parsePaperSensor(0x52).paperOut).toBe(true);
  });
});

describe('combineStatus and statusFault', () => {
  it('is ready when every answer is the bare fixed pattern', () => {
    const s = combineStatus(OK, OK, OK, OK);
    expect(s).toMatchObject({ online: true, paperNearEnd: false, paperOut: false, coverOpen: false, error: false });
    expect(statusFault(s)).toBeNull();
  });
  it('treats paper near end as printable', () => {
    const s = combineStatus(OK, OK, OK, 0x1e);
    expect(s.paperNearEnd).toBe(true);
    expect(statusFault(s)).toBeNull();
  });
  it.each([
    ['paper end', [0x1a, 0x32, OK, 0x7e], 'printer.paper_out'],
    ['paper-end stop only in DLE EOT 2', [0x1a, 0x32, OK, OK], 'printer.paper_out'],
    ['cover open', [0x1a, 0x16, OK, OK], 'printer.cover_open'],
    ['cover open wins over paper end', [0x1a, 0x36, OK, 0x7e], 'printer.cover_open'],
    ['auto-cutter error', [0x1a, 0x52, 0x1a, OK], 'printer.cutter_error'],
    ['unrecoverable error', [0x1a, 0x52, 0x32, OK], 'printer.unrecoverable_error'],
    ['auto-recoverable error', [0x1a, 0x52, 0x52, OK], 'printer.auto_recoverable_error'],
    ['error bit without cause', [0x1a, 0x52, OK, OK], 'printer.job_failed'],
    ['offline without cause', [0x1a, OK, OK, OK], 'printer.offline'],
  ] as const)('%s → %s', (_label, bytes, code) => {
    const [a, b, c, d] = bytes;
    expect(statusFault(combineStatus(a, b, c, d))).toBe(code);
  });
});
