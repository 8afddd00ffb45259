/**
 * HID keyboard usage IDs (usage page 0x07) → characters for a US layout, which is what
 * scanners emit unless configured otherwise.
 */
export const USAGE = {
  errorRollOver: 0x01,
  enter: 0x28,
  escape: 0x29,
  backspace: 0x2a,
  tab: 0x2b,
  keypadEnter: 0x58,
} as const;

export const MODIFIER = {
  leftCtrl: 0x01,
  leftShift: 0x02,
  leftAlt: 0x04,
  leftGui: 0x08,
  rightCtrl: 0x10,
  rightShift: 0x20,
  rightAlt: 0x40,
  rightGui: 0x80,
} as const;

const SHIFT = MODIFIER.leftShift | MODIFIER.rightShift;
const CTRL = MODIFIER.leftCtrl | MODIFIER.rightCtrl;

/** [unshifted, shifted] per usage. */
const TABLE: ReadonlyMap<number, readonly [string, string]> = (() => {
  const m = new Map<number, readonly [string, string]>();
  for (let i = 0; i < 26; i++) {
    const c = String.fromCharCode(97 + i);
    m.set(0x04 + i, [c, c.toUpperCase()]);
  }
  const digits = '1234567890';
  const shifted = '!@#$%^&*()';
  for (let i = 0; i < 10; i++) m.set(0x1e + i, [digits[i] as string, shifted[i] as string]);
  const punct: [number, string, string][] = [
    [0x2c, ' ', ' '],
    [0x2d, '-', '_'],
    [0x2e, '=', '+'],
    [0x2f, '[', '{'],
    [0x30, ']', '}'],
    [0x31, '\\', '|'],
    [0x32, '#', '~'],
    [0x33, ';', ':'],
    [0x34, "'", '"'],
    [0x35, '`', '~'],
    [0x36, ',', '<'],
    [0x37, '.', '>'],
    [0x38, '/', '?'],
    [0x54, '/', '/'],
    [0x55, '*', '*'],
    [0x56, '-', '-'],
    [0x57, '+', '+'],
    [0x63, '.', '.'],
  ];
  for (const [u, a, b] of punct) m.set(u, [a, b]);
  for (let i = 0; i < 9; i++) m.set(0x59 + i, [String(i + 1), String(i + 1)]);
  m.set(0x62, ['0', '0']);
  return m;
})();

/** Character for a usage under `modifiers`, or null for keys that type nothing. */
export function usageToChar(usage: number, modifiers: number): string | null {
  // GS1 codes carry FNC1 as GS (0x1D); wedge scanners send it as Ctrl+].
  if ((modifiers & CTRL) !== 0) return usage === 0x30 ? '\x1d' : null;
  const pair = TABLE.get(usage);
  if (!pair) return null;
  return (modifiers & SHIFT) !== 0 ? pair[1] : pair[0];
}

/** The reverse, for simulators: character → [modifiers, usage] (US layout). */
export function charToUsage(ch: string): readonly [number, number] | null {
  if (ch === '\x1d') return [MODIFIER.leftCtrl, 0x30];
  if (ch === '\n' || ch === '\r') return [0, USAGE.enter];
  if (ch === '\t') return [0, USAGE.tab];
  for (const [usage, [plain, shifted]] of TABLE) {
    if (usage >= 0x54) continue; // prefer main-block keys
    if (plain === ch) return [0, usage];
    if (shifted === ch) return [MODIFIER.leftShift, usage];
  }
  return null;
}
