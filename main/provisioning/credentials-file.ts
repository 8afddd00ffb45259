/**
 * The terminal's credentials file (docs/deploy/README.md, "Enrol a terminal"): its id and HMAC
 * secret, kept outside the database and outside the site file, which can then be read, copied and
 * shown freely. The file is written 0600 and refused at start when anyone but its owner could
 * read it, or when it belongs to another user: a secret others could read is not secret.
 */
import { existsSync, closeSync, constants, fsyncSync, openSync, renameSync, statSync, writeSync, readFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const CredentialsSchema = z
  .object({
    terminalId: z.string().regex(/^[A-Za-z0-9-]{1,32}$/),
    terminalSecret: z.string().min(32),
    /** The backend it enrolled with (informational: the site file's backend.url is used). */
    backendUrl: z.string().optional(),
    enrolledAt: z.string().optional(),
  })
  .strict();
export type Credentials = z.infer<typeof CredentialsSchema>;

export class CredentialsFileError extends Error {
  constructor(
    readonly kind: 'missing' | 'unsafe' | 'invalid' | 'exists',
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'CredentialsFileError';
  }
}

/**
 * Why this file may not hold a secret, or null when it may. POSIX only: on Windows the mode bits
 * say nothing and the installer's directory ACL protects the file (docs/deploy/windows.md).
 */
export function credentialsFileProblem(st: Pick<Stats, 'mode' | 'uid'>, platform: NodeJS.Platform = process.platform, uid: number | undefined = process.getuid?.()): string | null {
  if (platform === 'win32') return null;
  if (uid !== undefined && st.uid !== uid) return `is owned by uid ${st.uid}, not by the user running GridDesk (uid ${uid}): chown it to that user`;
  const open = st.mode & 0o077;
  if (open !== 0) return `is readable or writable by group or others (mode ${(st.mode & 0o777).toString(8).padStart(3, '0')}): run chmod 600 on it`;
  return null;
}

/** Reads and checks the file; every failure says which file and what to do. */
export function readCredentialsFile(file: string): Credentials {
  let st: Stats;
  try {
    st = statSync(file);
  } catch (err) {
    throw new CredentialsFileError('missing', file, `credentials file ${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}) — enrol this terminal first (npm run enrol -- CODE --backend URL)`);
  }
  const problem = credentialsFileProblem(st);
  if (problem !== null) throw new CredentialsFileError('unsafe', file, `credentials file ${file} ${problem}; GridDesk refuses to start with a terminal secret others can read`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    throw new CredentialsFileError('invalid', file, `credentials file ${file}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const creds = CredentialsSchema.safeParse(parsed);
  if (!creds.success) throw new CredentialsFileError('invalid', file, `credentials file ${file}: ${creds.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return creds.data;
}

/**
 * Writes the file 0600 from the first byte (created with that mode, never chmod-ed after), through
 * a temp file renamed over, so a crash leaves the old file or the new one. An existing file is
 * kept unless `replace`: re-enrolling a terminal is a decision, not an accident.
 */
export function writeCredentialsFile(file: string, creds: Credentials, opts: { replace?: boolean } = {}): void {
  const data = `${JSON.stringify(CredentialsSchema.parse(creds), null, 2)}\n`;
  if (!opts.replace) assertNotEnrolled(file);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** Throws (kind 'exists') when the file is there: this machine is enrolled already. */
export function assertNotEnrolled(file: string): void {
  if (existsSync(file)) throw new CredentialsFileError('exists', file, `credentials file ${file} already exists: this machine is enrolled (give --replace to enrol it again)`);
}
