/**
 * Terminal config rules checked at start (main/config.ts, main/compose/): a backend that is not
 * loopback is reached over https and is not the demo, so the demo terminal secret, the demo vending
 * key material, the demo card master key and simulated devices are refused there; the time zone is
 * a real one; every error names the file and the field. The shipped defaults and the demo load.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isLoopbackUrl, loadConfig, TerminalConfigSchema } from '../../../main/config.js';
import { configPaths, loadSecureModules } from '../../../main/compose/index.js';
import { DEMO_CARD_MASTER_KEY, deviceManagerFor } from '../../../main/compose/devices.js';
import { KEYS_DIR, loadSecureModuleConfig } from '../../../main/vending/secure-module/index.js';
import { DEMO_TERMINAL } from '../../../main/sync/signing.js';
import { demoSiteConfig } from '../../../scripts/demo-site.js';

const dir = mkdtempSync(path.join(tmpdir(), 'gd-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const [DEFAULTS] = configPaths([]);
const defaults = DEFAULTS as string;
let n = 0;
/** A site file in the temp dir; returns its path. */
function site(content: unknown): string {
  const file = path.join(dir, `site-${++n}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}
const REAL = { url: 'https://billing.example.cn', terminalSecret: 'per-terminal-secret-0123456789' };
const clock = () => new Date('2026-11-27T02:00:00.000Z');

/** The message of what `fn` throws ('' when it does not). */
function thrown(fn: () => unknown): string {
  try {
    fn();
    return '';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

describe('shipped defaults and the demo', () => {
  it('the defaults alone load (loopback backend, demo secret, demo vending key)', () => {
    const config = loadConfig([defaults]);
    expect(config.backend).toMatchObject({ url: 'http://127.0.0.1:8780', terminalSecret: DEMO_TERMINAL.secret, pushTimeoutMs: 10_000 });
    expect(() => loadSecureModules(config, clock)).not.toThrow();
  });

  it("npm start's site file loads, with simulated devices and the shipped secure module config", () => {
    const demo = site(demoSiteConfig({ dataDir: path.join(dir, 'data'), backendUrl: 'http://127.0.0.1:45678', printer: { host: '127.0.0.1', port: 9100 }, mode: 'kiosk' }));
    const config = loadConfig([defaults, demo]);
    expect(config).toMatchObject({ mode: 'kiosk', devices: { simulated: true } });
    expect(loadSecureModules(config, clock).local).not.toBeNull();
  });

  it('a real site: https backend, its own secret, no demo key material', () => {
    const config = loadConfig([defaults, site({ backend: REAL })]);
    expect(config.backend.url).toBe(REAL.url);
    // Online without a local key file (or with the utility's own) is fine for a real terminal.
    expect(() => loadSecureModules(config, clock, { ...loadSecureModuleConfig(), keyFile: null, localFallback: false })).not.toThrow();
  });
});

describe('backend.url', () => {
  it.each(['http://127.0.0.1:8780', 'http://127.0.0.2:1', 'http://localhost:8780', 'http://[::1]:8780', 'https://billing.example.cn', 'https://10.0.0.5:8443'])('accepts %s', (url) => {
    expect(thrown(() => loadConfig([defaults, site({ backend: { url, terminalSecret: REAL.terminalSecret } })]))).toBe('');
  });

  it.each(['http://billing.example.cn', 'http://10.0.0.5:8780', 'http://localhost.example.cn', 'http://127.0.0.1.example.cn'])('refuses plain http to %s, naming the file and field', (url) => {
    const file = site({ backend: { url, terminalSecret: REAL.terminalSecret } });
    expect(thrown(() => loadConfig([defaults, file]))).toContain(`${file}: backend.url: must be https unless the host is loopback (127.0.0.1, ::1, localhost)`);
  });

  it.each(['ftp://127.0.0.1/', 'billing.example.cn', ''])('refuses %j as not an http(s) URL', (url) => {
    expect(thrown(() => loadConfig([defaults, site({ backend: { url } })]))).toMatch(/backend\.url: must be an http or https URL/);
  });

  it('loopback means the host, not a prefix', () => {
    expect(isLoopbackUrl('http://127.0.0.1:1')).toBe(true);
    expect(isLoopbackUrl('http://localhost.evil.example')).toBe(false);
    expect(isLoopbackUrl('http://127.0.0.1@evil.example/')).toBe(false);
  });
});

describe('outside the demo (backend not loopback)', () => {
  it('refuses the demo terminal secret, blaming the file it comes from', () => {
    // The site file sets only the URL: the secret is the default file's demo secret.
    const message = thrown(() => loadConfig([defaults, site({ backend: { url: REAL.url } })]));
    expect(message).toContain(`${defaults}: backend.terminalSecret: the demo terminal secret is refused outside the demo`);
    // The same secret on a loopback backend is the demo.
    expect(thrown(() => loadConfig([defaults, site({ backend: { url: 'http://localhost:8780' } })]))).toBe('');
  });

  it('refuses simulated devices (demo card master key and demo card)', () => {
    const file = site({ backend: REAL, devices: { simulated: true } });
    expect(thrown(() => loadConfig([defaults, file]))).toContain(`${file}: devices.simulated: simulated devices`);
  });

  it('refuses the shipped secure module config, which names the demo vending key', () => {
    const config = loadConfig([defaults, site({ backend: REAL })]);
    const message = thrown(() => loadSecureModules(config, clock));
    expect(message).toContain(`${path.join(KEYS_DIR, 'secure-module.json')}: keyFile: ${path.join(KEYS_DIR, 'demo-vending-key.json')} holds the demo (TEST) vending key`);
    expect(message).toContain('refused outside the demo');
  });

  it('refuses a copy of the demo vending key without its testKeyMaterial flag, and the SAMPLE TEST tables', () => {
    const config = loadConfig([defaults, site({ backend: REAL })]);
    const sm = loadSecureModuleConfig();
    const copy = path.join(dir, 'copied-key.json');
    writeFileSync(copy, JSON.stringify({ vendingKey: 'abababababababab', tables: 'sample' }));
    expect(thrown(() => loadSecureModules(config, clock, { ...sm, keyFile: copy }))).toContain('holds the demo (TEST) vending key');
    const sample = path.join(dir, 'sample-tables-key.json');
    writeFileSync(sample, JSON.stringify({ vendingKey: '0123456789ABCDEF', tables: 'sample' }));
    expect(thrown(() => loadSecureModules(config, clock, { ...sm, keyFile: sample }))).toContain('holds the SAMPLE TEST EA07 tables');
  });

  describe('card master key file', () => {
    const before = process.env.GRIDDESK_CARD_MASTER_KEY_FILE;
    afterEach(() => {
      if (before === undefined) delete process.env.GRIDDESK_CARD_MASTER_KEY_FILE;
      else process.env.GRIDDESK_CARD_MASTER_KEY_FILE = before;
    });
    const demoKeyFile = () => {
      const file = path.join(dir, 'card-master.hex');
      writeFileSync(file, Buffer.from(DEMO_CARD_MASTER_KEY).toString('hex'));
      process.env.GRIDDESK_CARD_MASTER_KEY_FILE = file;
      return file;
    };

    it('refuses the demo card master key for a real reader', () => {
      const file = demoKeyFile();
      const config = loadConfig([defaults, site({ backend: REAL, printer: { transport: 'none' }, devices: {} })]);
      expect(thrown(() => deviceManagerFor(config, null))).toContain(`card master key file ${file} ($GRIDDESK_CARD_MASTER_KEY_FILE): the demo card master key is refused outside the demo`);
    });

    it('accepts it in the demo', () => {
      demoKeyFile();
      const config = loadConfig([defaults, site({ printer: { transport: 'none' }, devices: {} })]);
      expect(thrown(() => deviceManagerFor(config, null))).toBe('');
    });
  });
});

describe('timeZone', () => {
  it.each(['Asia/Shanghai', 'UTC', 'Europe/Berlin'])('accepts %s', (timeZone) => {
    expect(loadConfig([defaults, site({ timeZone })]).timeZone).toBe(timeZone);
  });

  it.each(['Mars/Olympus_Mons', 'Asia/Beijing', 'CST+8', 'GMT+25'])('refuses %s, naming the file and field', (timeZone) => {
    const file = site({ timeZone });
    expect(thrown(() => loadConfig([defaults, file]))).toContain(`${file}: timeZone: must be an IANA time zone such as Asia/Shanghai (got "${timeZone}")`);
  });

  it('is checked by the schema too (test configs are parsed without files)', () => {
    const base = loadConfig([defaults]);
    expect(TerminalConfigSchema.safeParse({ ...base, timeZone: 'Nowhere/City' }).success).toBe(false);
  });
});

describe('config loading errors name the file and the field', () => {
  it('a value of the wrong type, in the file that set it', () => {
    const file = site({ backend: { lookupTimeoutMs: 'soon' } });
    expect(thrown(() => loadConfig([defaults, file]))).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: backend\\.lookupTimeoutMs: `));
  });

  it('an unknown key, with its full name', () => {
    const file = site({ backend: { lookupTimeout: 1500 } });
    expect(thrown(() => loadConfig([defaults, file]))).toContain(`${file}: backend.lookupTimeout: `);
  });

  it('a required field no file sets names every file', () => {
    const only = site({ terminalId: 'T-1', mode: 'counter', defaultLocale: 'en', timeZone: 'UTC', dataDir: '.data' });
    expect(thrown(() => loadConfig([only]))).toContain(`${only} (not set): backend: `);
  });

  it('a file that is not JSON, not an object, or missing', () => {
    const broken = site('{ "mode": "counter", ');
    expect(thrown(() => loadConfig([defaults, broken]))).toMatch(new RegExp(`^terminal config ${broken.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not JSON`));
    const array = site([1, 2]);
    expect(thrown(() => loadConfig([defaults, array]))).toBe(`terminal config ${array}: must be a JSON object`);
    const missing = path.join(dir, 'nope.json');
    expect(thrown(() => loadConfig([defaults, missing]))).toBe(`terminal config ${missing}: cannot be read (ENOENT)`);
  });

  it('the secure module config names its file and field', () => {
    const file = site({ mode: 'online', keyFile: null, localFallback: 'yes', offlineCreditLimitFen: 0, onlineTimeoutMs: 3000 });
    expect(thrown(() => loadSecureModuleConfig(file))).toMatch(new RegExp(`^invalid secure module config ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: localFallback: `));
  });
});
