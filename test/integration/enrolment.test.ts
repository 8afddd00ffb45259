/**
 * Provisioning end to end (docs/deploy/README.md, "Enrol a terminal"): a code issued through the
 * backend's admin route, used by the terminal's real enrol client, gives a terminal id and secret
 * the backend then accepts on signed requests; bad, unknown, expired and reused codes are refused
 * with their reason (translated in both languages) and journaled; two terminals racing with one
 * code enrol one; the credentials file is written 0600 and refused at start when it is not.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../main/config.js';
import { configPaths } from '../../main/compose/index.js';
import { loadLocale, translator } from '../../main/i18n/locales.js';
import { credentialsFileProblem, readCredentialsFile } from '../../main/provisioning/credentials-file.js';
import { EnrolError } from '../../main/provisioning/enrol-client.js';
import { enrolmentFailureMessage, provisionTerminal, type Provisioned } from '../../main/provisioning/provision.js';
import { runEnrolCli } from '../../main/provisioning/enrol-cli.js';
import { SERVER_TIME_PATH } from '../../main/wire/backend-wire.js';
import { ENROLMENT_CODES_PATH, ENROLMENT_JOURNAL_PATH, EnrolmentJournalEntrySchema, formatEnrolmentCode, IssuedCodeSchema, normalizeEnrolmentCode } from '../../main/wire/enrolment-wire.js';
import { createSignedClient } from '../billing-backend/signed-client.js';
import { startTestBackend, TEST_NOW, type TestBackend } from '../billing-backend/testing.js';
import { startBackend } from '../billing-backend/server.js';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
let clock = TEST_NOW.getTime();
let t: TestBackend;
let work: string;

beforeAll(async () => {
  t = await startTestBackend({ adminToken: ADMIN_TOKEN, now: () => new Date(clock) });
  work = mkdtempSync(path.join(tmpdir(), 'gd-enrol-'));
});
afterAll(async () => {
  await t?.dispose();
  rmSync(work, { recursive: true, force: true });
});

async function admin(pathName: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<{ status: number; json: unknown }> {
  const res = await fetch(new URL(pathName, t.backend.url), {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${init.token ?? ADMIN_TOKEN}` },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: res.status, json: (await res.json()) as unknown };
}

async function issue(mode: 'counter' | 'kiosk', ttlMinutes = 60): Promise<string> {
  const res = await admin(ENROLMENT_CODES_PATH, { body: { siteId: 'HALL01', mode, ttlMinutes, issuedBy: 'tech-wang' } });
  expect(res.status).toBe(200);
  return IssuedCodeSchema.parse(res.json).code;
}

let dirs = 0;
// A directory that does not exist yet: enrolment creates it.
const freshDir = (): string => path.join(work, `t${++dirs}`, 'griddesk');
const provision = (code: string, dir = freshDir()) => provisionTerminal({ backendUrl: t.backend.url, code, dir, hostname: `pc-${dirs}` });

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EnrolError);
  return (err as EnrolError).reason;
}

describe('enrolment codes', () => {
  it('are 12 symbols with a check symbol that catches a mistyped symbol and a swap', () => {
    const code = formatEnrolmentCode([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(normalizeEnrolmentCode(code.toLowerCase().replace(/-/g, ' '))).toBe(code.replace(/-/g, ''));
    const plain = code.replace(/-/g, '');
    for (let i = 0; i < plain.length; i++) {
      const typo = plain.slice(0, i) + (plain[i] === 'Z' ? 'Y' : 'Z') + plain.slice(i + 1);
      expect(normalizeEnrolmentCode(typo), `typo at ${i}`).toBeNull();
    }
    const swapped = `${plain.slice(1, 2)}${plain.slice(0, 1)}${plain.slice(2)}`;
    expect(normalizeEnrolmentCode(swapped)).toBeNull();
  });
});

describe('enrolling a terminal', () => {
  it('a good code gives an id, a secret the backend accepts, and the site settings; files 0600 and loadable', async () => {
    const code = await issue('kiosk');
    const dir = freshDir();
    const done = await provision(code, dir);
    expect(done.reply).toMatchObject({ terminalId: 'T-HALL01-K01', mode: 'kiosk', siteId: 'HALL01', site: { timeZone: 'Asia/Shanghai', defaultLocale: 'zh-CN' } });
    expect(statSync(done.credentialsPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(done.sitePath, 'utf8')).not.toContain(done.reply.secret);
    // The backend knows the new terminal at once: a signed request with its secret is authentic.
    const client = createSignedClient({ baseUrl: t.backend.url, terminalId: done.reply.terminalId, secret: done.reply.secret, now: () => new Date(clock) });
    expect((await client.get(SERVER_TIME_PATH)).status).toBe(200);
    const wrong = createSignedClient({ baseUrl: t.backend.url, terminalId: done.reply.terminalId, secret: 'x'.repeat(64), now: () => new Date(clock) });
    expect((await wrong.get(SERVER_TIME_PATH)).status).toBe(401);
    // The terminal starts from the written site file: id and secret from the credentials file.
    const config = loadConfig(configPaths(['--config', done.sitePath]));
    expect(config).toMatchObject({ terminalId: 'T-HALL01-K01', mode: 'kiosk', backend: { terminalSecret: done.reply.secret, url: t.backend.url }, service: { hallId: 'HALL01' } });
    expect(config.dataDir).toBe(path.join(dir, 'data'));
    // A second counter and kiosk are numbered on.
    expect((await provision(await issue('counter'))).reply.terminalId).toBe('T-HALL01-C01');
    expect((await provision(await issue('kiosk'))).reply.terminalId).toBe('T-HALL01-K02');
  });

  it('refuses a mistyped code at the terminal, an unknown, a reused and an expired code at the backend', async () => {
    expect(await refusal(provision('ABCD-EFGH-JKMN'))).toBe('code_malformed');
    // Well formed (its check symbol matches) but never issued.
    expect(await refusal(provision(formatEnrolmentCode([31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21])))).toBe('code_unknown');
    const code = await issue('counter');
    await provision(code);
    expect(await refusal(provision(code))).toBe('code_used');
    const short = await issue('kiosk', 5);
    clock += 5 * 60_000;
    expect(await refusal(provision(short))).toBe('code_expired');
    // The server refuses a malformed code too, for clients that do not check it.
    const raw = await fetch(new URL('/enrol', t.backend.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'nonsense' }) });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ error: 'code_malformed' });
  });

  it('says why in zh-CN and en', async () => {
    const err = new EnrolError('code_used', 'x');
    const zh = enrolmentFailureMessage(translator(loadLocale('zh-CN')), err, { backendUrl: t.backend.url });
    const en = enrolmentFailureMessage(translator(loadLocale('en')), err, { backendUrl: t.backend.url });
    expect(zh).toContain('已被用于注册终端');
    expect(en).toContain('already been used');
    for (const reason of ['code_malformed', 'code_unknown', 'code_expired', 'code_used', 'unreachable', 'not_supported'] as const) {
      for (const lng of ['zh-CN', 'en'] as const) {
        expect(enrolmentFailureMessage(translator(loadLocale(lng)), new EnrolError(reason, 'd'), { backendUrl: 'u' })).not.toMatch(/^enrolment\./);
      }
    }
    const unreachable = await refusal(provisionTerminal({ backendUrl: 'http://127.0.0.1:1', code: await issue('counter'), dir: freshDir() }));
    expect(unreachable).toBe('unreachable');
  });

  it('two terminals racing with one code: exactly one is enrolled', async () => {
    const code = await issue('kiosk');
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => provision(code)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as EnrolError).reason).toBe('code_used');
    const enrolled = t.backend.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM enrolled_terminals WHERE mode = 'kiosk'").get()?.n;
    expect(enrolled).toBe(3);
  });

  it('two backend servers on one file, racing with one code: one terminal, known to both', async () => {
    const second = await startBackend({ dbPath: t.dbPath, adminToken: ADMIN_TOKEN, now: () => new Date(clock) });
    try {
      const code = await issue('counter');
      const raced = await Promise.allSettled([provision(code), provisionTerminal({ backendUrl: second.url, code, dir: freshDir() })]);
      const won = raced.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      expect(won).toHaveLength(1);
      expect(raced.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as EnrolError).reason)).toEqual(['code_used']);
      // The winner's requests are accepted by the other server too (it reads enrolled secrets at start and on a miss).
      const id = (won[0] as Provisioned).reply;
      for (const url of [t.backend.url, second.url]) {
        const c = createSignedClient({ baseUrl: url, terminalId: id.terminalId, secret: id.secret, now: () => new Date(clock) });
        expect((await c.get(SERVER_TIME_PATH)).status, url).toBe(200);
      }
    } finally {
      await second.close();
    }
  });

  it('journals every code issued, enrolment and refusal; admin routes need the token', async () => {
    expect((await admin(ENROLMENT_JOURNAL_PATH, { token: 'wrong' })).status).toBe(401);
    expect((await admin(ENROLMENT_CODES_PATH, { body: { siteId: 'NOSUCH', mode: 'kiosk' } })).status).toBe(404);
    const res = await admin(ENROLMENT_JOURNAL_PATH);
    const items = EnrolmentJournalEntrySchema.array().parse((res.json as { items: unknown }).items);
    const count = (kind: string, reason?: string): number => items.filter((i) => i.kind === kind && (reason === undefined || i.reason === reason)).length;
    expect(count('terminal.enrolled')).toBe(6);
    expect(count('enrolment.refused', 'code_used')).toBe(5);
    expect(count('enrolment.refused', 'code_expired')).toBe(1);
    expect(count('enrolment.refused', 'code_unknown')).toBe(1);
    expect(count('enrolment.refused', 'code_malformed')).toBe(1);
    expect(items.find((i) => i.kind === 'code.issued')).toMatchObject({ siteId: 'HALL01', actor: 'tech-wang' });
    expect(JSON.stringify(items)).not.toMatch(/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/);
  });
});

describe('the enrol command', () => {
  it('enrols (0), refuses with the translated reason (1), explains its usage (2)', async () => {
    const lines: string[] = [];
    const out = { log: (l: string) => lines.push(l), error: (l: string) => lines.push(l) };
    const code = await issue('counter');
    const dir = freshDir();
    expect(await runEnrolCli([code, '--backend', t.backend.url, '--dir', dir, '--lang', 'en'], out)).toBe(0);
    expect(lines.pop()).toMatch(/^Enrolled as T-HALL01-C\d\d \(counter, site HALL01\)/);
    expect(await runEnrolCli([code, '--backend', t.backend.url, '--dir', freshDir(), '--lang', 'zh-CN'], out)).toBe(1);
    expect(lines.pop()).toContain('该注册码已被用于注册终端');
    expect(await runEnrolCli([code], out)).toBe(2);
    expect(lines.pop()).toMatch(/^usage: enrol CODE --backend URL/);
  });
});

describe('the credentials file', () => {
  it('is refused at start when group or others can read it, or another user owns it', async () => {
    const done = await provision(await issue('counter'));
    chmodSync(done.credentialsPath, 0o644);
    expect(() => loadConfig(configPaths(['--config', done.sitePath]))).toThrow(/readable or writable by group or others \(mode 644\): run chmod 600/);
    chmodSync(done.credentialsPath, 0o640);
    expect(() => readCredentialsFile(done.credentialsPath)).toThrow(/refuses to start/);
    chmodSync(done.credentialsPath, 0o600);
    expect(readCredentialsFile(done.credentialsPath).terminalId).toBe(done.reply.terminalId);
    expect(credentialsFileProblem({ mode: 0o100600, uid: 4242 }, 'linux', 1000)).toMatch(/owned by uid 4242/);
    expect(credentialsFileProblem({ mode: 0o100644, uid: 1000 }, 'win32', 1000)).toBeNull();
  });

  it('is not overwritten by a second enrolment unless asked, and the code is not spent', async () => {
    const dir = freshDir();
    await provision(await issue('counter'), dir);
    const code = await issue('counter');
    await expect(provision(code, dir)).rejects.toMatchObject({ kind: 'exists' });
    const msg = enrolmentFailureMessage(translator(loadLocale('en')), await provision(code, dir).catch((e: unknown) => e), { backendUrl: '' });
    expect(msg).toContain('already enrolled');
    const again = await provisionTerminal({ backendUrl: t.backend.url, code, dir, replace: true });
    expect(readCredentialsFile(again.credentialsPath).terminalId).toBe(again.reply.terminalId);
  });
});
