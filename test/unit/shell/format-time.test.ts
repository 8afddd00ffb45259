/**
 * Times show in the terminal's zone (from system.info), whatever zone the process or browser has.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDateTime } from '../../../renderer/src/format-time.js';
import { buildCore } from '../../../main/compose/index.js';
import { testTerminalConfig } from '../../support/config.js';

describe('formatDateTime', () => {
  const instant = '2026-03-01T23:30:00.000Z';

  it('shows the instant in the given zone, not the process zone', () => {
    expect(formatDateTime(instant, 'Asia/Shanghai', 'en')).toBe('03/02/2026, 07:30');
    expect(formatDateTime(instant, 'UTC', 'en')).toBe('03/01/2026, 23:30');
    expect(formatDateTime(instant, 'Asia/Urumqi', 'en')).toBe('03/02/2026, 05:30');
  });

  it('follows the UI language', () => {
    expect(formatDateTime(instant, 'Asia/Shanghai', 'zh-CN')).toBe('2026/03/02 07:30');
  });

  it('returns the input when the instant or the zone is unusable', () => {
    expect(formatDateTime('not a time', 'Asia/Shanghai', 'en')).toBe('not a time');
    expect(formatDateTime(instant, 'Mars/Olympus_Mons', 'en')).toBe(instant);
  });
});

describe('system.info', () => {
  it("carries the terminal's configured zone", async () => {
    const core = buildCore(testTerminalConfig({ timeZone: 'Asia/Urumqi', dataDir: mkdtempSync(path.join(tmpdir(), 'gd-tz-')) }), {
      printer: null,
      withoutDevices: true,
      lateFees: () => ({ fen: 0, ruleKey: '' }),
    });
    try {
      const info = await core.dispatch('system.info', {}, core.newSession('t'));
      expect(info).toMatchObject({ ok: true, result: { timeZone: 'Asia/Urumqi' } });
    } finally {
      await core.close();
    }
  });
});
