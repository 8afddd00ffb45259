/**
 * Enrols this machine and writes what it needs to start: the credentials file (0600, the secret)
 * and a site file (everything else, no secret) that names it. `npm run enrol` and the tests use it.
 */
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EnrolReply } from '../wire/enrolment-wire.js';
import type { HttpTransport } from '../sync/http-json.js';
import type { Translate } from '../i18n/locales.js';
import { assertNotEnrolled, CredentialsFileError, writeCredentialsFile } from './credentials-file.js';
import { enrolTerminal, EnrolError } from './enrol-client.js';

export const CREDENTIALS_FILE = 'credentials.json';
export const SITE_FILE = 'site.json';

export interface ProvisionOptions {
  readonly backendUrl: string;
  readonly code: string;
  /** Where credentials.json and site.json go (the terminal's config directory). */
  readonly dir: string;
  /** The terminal's data directory (databases); default <dir>/data. */
  readonly dataDir?: string;
  /** PEM of the backend's CA, for the site file's backend.caFile. */
  readonly caFile?: string;
  readonly replace?: boolean;
  readonly hostname?: string;
  readonly version?: string;
  readonly transport?: HttpTransport;
}

export interface Provisioned {
  readonly reply: EnrolReply;
  readonly credentialsPath: string;
  readonly sitePath: string;
}

/** The site file of an enrolled terminal: the site's settings, the backend, the credentials file. */
export function enrolledSiteConfig(reply: EnrolReply, opts: { backendUrl: string; dataDir: string; caFile?: string }): Record<string, unknown> {
  return {
    mode: reply.mode,
    defaultLocale: reply.site.defaultLocale,
    timeZone: reply.site.timeZone,
    receipt: reply.site.receipt,
    service: { hallId: reply.site.hallId ?? reply.siteId },
    dataDir: opts.dataDir,
    backend: { url: opts.backendUrl, ...(opts.caFile ? { caFile: opts.caFile } : {}) },
    credentialsFile: CREDENTIALS_FILE,
  };
}

export async function provisionTerminal(opts: ProvisionOptions): Promise<Provisioned> {
  const dir = path.resolve(opts.dir);
  const credentialsPath = path.join(dir, CREDENTIALS_FILE);
  const sitePath = path.join(dir, SITE_FILE);
  // Checked before the code is spent: a code used by a machine that cannot keep its result is lost.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  accessSync(dir, constants.W_OK);
  if (!opts.replace) assertNotEnrolled(credentialsPath);
  const reply = await enrolTerminal({
    backendUrl: opts.backendUrl,
    code: opts.code,
    ...(opts.hostname ? { hostname: opts.hostname } : {}),
    ...(opts.version ? { version: opts.version } : {}),
    ...(opts.transport ? { transport: opts.transport } : {}),
  });
  writeCredentialsFile(credentialsPath, { terminalId: reply.terminalId, terminalSecret: reply.secret, backendUrl: opts.backendUrl, enrolledAt: reply.enrolledAt }, { replace: opts.replace === true });
  const site = enrolledSiteConfig(reply, { backendUrl: opts.backendUrl, dataDir: opts.dataDir ?? path.join(dir, 'data'), ...(opts.caFile ? { caFile: opts.caFile } : {}) });
  writeFileSync(sitePath, `${JSON.stringify(site, null, 2)}\n`);
  return { reply, credentialsPath, sitePath };
}

/** The user's message for a failed enrolment, translated; unknown errors are passed on. */
export function enrolmentFailureMessage(t: Translate, err: unknown, ctx: { backendUrl: string }): string {
  if (err instanceof EnrolError) return t(`enrolment.error.${err.reason}`, { backend: ctx.backendUrl, detail: err.message });
  if (err instanceof CredentialsFileError && err.kind === 'exists') return t('enrolment.error.already_enrolled', { file: err.file });
  throw err;
}
