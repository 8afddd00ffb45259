import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import { issueGridDeskCard } from '../../../kiosk-drivers/card/sim/issue-card.js';
import { issueStaffBadge } from '../../../kiosk-drivers/card/sim/issue-badge.js';
import type { SimulatedCard } from '../../../kiosk-drivers/card/sim/simulated-card.js';
import type { CardCommands, SectorKey } from '../../../kiosk-drivers/card/card-commands.js';
import { BADGE_LAYOUT, decodeBadge, deriveBadgeKeys, encodeBadge, StaffBadgeFormat } from '../../../kiosk-drivers/card/staff-badge.js';
import { hex as hexBytes, labelledHex, readDoc, toHex } from '../hid/doc-examples.js';

// Inputs and expected bytes come from docs/devices/staff-badge.md §2, so the doc and the code agree.
const DOC = readDoc('staff-badge.md');
const EXAMPLE = labelledHex(DOC, /^(badgeKey|sectorKeyA|block \d+)\s{2,}([0-9A-F ]+)$/gm);
function docHex(label: string): string {
  const v = EXAMPLE.get(label);
  if (v === undefined) throw new Error(`docs/devices/staff-badge.md has no "${label}" line`);
  return v.includes(' ') ? v : toHex(hexBytes(v));
}
function docInput(re: RegExp): string {
  const m = re.exec(DOC);
  if (!m?.[1]) throw new Error(`docs/devices/staff-badge.md: no match for ${String(re)}`);
  return m[1];
}
const master = hexBytes(docInput(/master key `([0-9A-F]+)`/));
const uid = hexBytes(docInput(/UID `([0-9A-F]+)`/));
const RECORD = {
  operatorId: docInput(/operator `([0-9A-Za-z_-]+)`/),
  issue: Number(docInput(/issue (\d+), issued/)),
  issuedAt: Number(docInput(/issued\s+\S+ \(`(\d+)`\)/)),
  validUntil: Number(docInput(/valid until \S+ \(`(\d+)`\)/)),
};
const keys = deriveBadgeKeys(master, uid);

/** CardCommands straight onto a simulated card (the reader protocol has its own tests). */
function session(card: SimulatedCard) {
  const status = (s: number) => {
    if (s === 2) throw new DeviceError('card.auth_failed');
    if (s !== 0) throw new DeviceError('card.io_error', { status: s });
  };
  const commands: Pick<CardCommands, 'readBlock'> = {
    readBlock: (block: number, key: SectorKey) => {
      const r = card.readBlock(block, key.type === 'a' ? 0x60 : 0x61, key.key);
      status(r.status);
      return Promise.resolve(r.data as Uint8Array);
    },
  };
  return { commands: commands as CardCommands, uid: card.uid, type: card.type };
}

describe('staff badge layout (doc §2 worked example)', () => {
  it('badge key as the doc defines it, sector key, blocks 4 and 5', () => {
    const badgeKey = createHmac('sha256', master).update(Buffer.concat([Buffer.from('GD-BADGE'), uid])).digest();
    expect(toHex(badgeKey)).toBe(docHex('badgeKey'));
    expect(toHex(keys.sectorKey)).toBe(docHex('sectorKeyA'));
    const [b4, b5] = encodeBadge(RECORD, keys);
    expect(toHex(b4)).toBe(docHex('block 4'));
    expect(toHex(b5)).toBe(docHex('block 5'));
    expect(decodeBadge(b4, b5, keys)).toEqual({ ok: true, value: RECORD });
  });
  it('an edited operator ID, an edited date or another card fails the MAC', () => {
    const [b4, b5] = encodeBadge(RECORD, keys);
    const edited = b4.slice();
    edited.set(Buffer.from('M001'), 4);
    expect(decodeBadge(edited, b5, keys)).toEqual({ ok: false, reason: 'mac' });
    const later = b5.slice();
    later[7] = 0xff;
    expect(decodeBadge(b4, later, keys)).toEqual({ ok: false, reason: 'mac' });
    expect(decodeBadge(b4, b5, deriveBadgeKeys(master, Uint8Array.of(0x5a, 0x10, 0x20, 0x32)))).toEqual({ ok: false, reason: 'mac' });
    const v2 = b4.slice();
    v2[2] = 2;
    expect(decodeBadge(v2, b5, keys)).toEqual({ ok: false, reason: 'version' });
  });
  it('refuses operator IDs the badge cannot hold', () => {
    expect(() => encodeBadge({ ...RECORD, operatorId: 'S0010000000001' }, keys)).toThrow(RangeError);
    expect(() => encodeBadge({ ...RECORD, operatorId: 'S 01' }, keys)).toThrow(RangeError);
    expect(() => encodeBadge({ ...RECORD, issue: 256 }, keys)).toThrow(RangeError);
  });
});

describe('StaffBadgeFormat.read', () => {
  const format = new StaffBadgeFormat(master);
  it('reads an issued badge', async () => {
    const card = issueStaffBadge({ masterKey: master, uid, ...RECORD });
    expect(await format.read(session(card))).toEqual({ kind: 'badge', cardSerial: '5A102031', badge: RECORD });
  });
  it('a badge whose record was rewritten with the sector key (but without the badge key) is forged', async () => {
    const card = issueStaffBadge({ masterKey: master, uid, ...RECORD });
    const b4 = card.peek(BADGE_LAYOUT.header);
    b4.set(Buffer.from('M001'), 4);
    card.poke(BADGE_LAYOUT.header, b4);
    expect(await format.read(session(card))).toEqual({ kind: 'forged', cardSerial: '5A102031', reason: 'mac' });
  });
  it('a badge issued under another key, or a customer prepaid card, is not a badge', async () => {
    const other = issueStaffBadge({ masterKey: new Uint8Array(16).fill(7), uid, ...RECORD });
    expect(await format.read(session(other))).toMatchObject({ kind: 'not_badge', reason: 'auth' });
    const prepaid = issueGridDeskCard({ masterKey: master, uid, accountNo: '3100012345', meterNo: '000012345678', generation: 2 });
    expect(await format.read(session(prepaid))).toMatchObject({ kind: 'not_badge', reason: 'auth' });
  });
  it("sector 1's trailer holds the badge's key A; a short master key is refused", async () => {
    const card = issueStaffBadge({ masterKey: master, uid, ...RECORD });
    expect(toHex(card.peek(7).subarray(0, 6))).toBe(toHex(keys.sectorKey));
    expect(() => new StaffBadgeFormat(new Uint8Array(8))).toThrow(RangeError);
  });
});
