/**
 * A throwaway PostgreSQL cluster for tests and demos: initdb into a temp dir, a postmaster on a free
 * loopback port (and a unix socket in the same dir), durability off (a test cluster never outlives
 * its run, so fsync only costs time). Whatever ends the process — stop(), a normal exit, a crash,
 * a SIGKILL of a vitest worker — the cluster goes too: a detached watchdog stops it and removes the
 * dir once the owning process is gone.
 *
 * initdb refuses to run as root, so as root every server command runs as the `postgres` user
 * (the Debian package creates it) and the temp dir is handed to that user.
 */
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface PgCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres — trust auth, superuser. */
  readonly url: string;
  readonly port: number;
  /** The unix-socket directory (host= for libpq). */
  readonly socketDir: string;
  readonly dataDir: string;
  /** Fast stop (immediate: nothing in it is worth a checkpoint) and removal of the temp dir. */
  stop(): Promise<void>;
}

export interface PgClusterOptions {
  /** A fixed port; default a free one. */
  readonly port?: number;
  /** Extra postgresql.conf lines. */
  readonly settings?: Readonly<Record<string, string | number>>;
}

const PG_ROOT = '/usr/lib/postgresql';

/** The newest installed server's bin dir (15 on Debian 12, 16 elsewhere). */
export function findPgBin(): string {
  const fromEnv = process.env.GRIDDESK_PG_BIN;
  if (fromEnv) return fromEnv;
  const versions = fs.existsSync(PG_ROOT)
    ? fs.readdirSync(PG_ROOT).filter((v) => fs.existsSync(path.join(PG_ROOT, v, 'bin', 'initdb')))
    : [];
  versions.sort((a, b) => Number(b) - Number(a));
  const v = versions[0];
  if (!v) {
    throw new Error(`PostgreSQL server not found under ${PG_ROOT}/*/bin (apt-get install postgresql, or run scripts/setup.sh)`);
  }
  return path.join(PG_ROOT, v, 'bin');
}

/** Whether a PostgreSQL server is installed here (tests skip PG cases with a clear reason otherwise). */
export function pgAvailable(): boolean {
  try {
    findPgBin();
    return true;
  } catch {
    return false;
  }
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** argv that runs `cmd` as the cluster's owner. */
function asOwner(cmd: string, args: readonly string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, [...args]];
}

function run(cmd: string, args: readonly string[]): void {
  const [c, a] = asOwner(cmd, args);
  const r = spawnSync(c, a, { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`${path.basename(cmd)} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || '').trim()}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const TEST_SETTINGS: Record<string, string | number> = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  wal_level: 'minimal',
  max_wal_senders: 0,
  shared_buffers: "'64MB'",
  max_connections: 100,
  checkpoint_timeout: "'30min'",
  autovacuum: 'off',
  logging_collector: 'off',
  log_min_messages: 'warning',
  'timezone': "'UTC'",
};

export async function startPgCluster(opts: PgClusterOptions = {}): Promise<PgCluster> {
  const bin = findPgBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'griddesk-pg-'));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    fs.chownSync(dir, uid, gid);
  }
  const pgCtl = path.join(bin, 'pg_ctl');
  let watchdogPid: number | undefined;
  let stopped = false;

  const stopSync = (): void => {
    if (stopped) return;
    stopped = true;
    if (fs.existsSync(path.join(dataDir, 'postmaster.pid'))) {
      const [c, a] = asOwner(pgCtl, ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '20']);
      spawnSync(c, a, { stdio: 'ignore' });
    }
    fs.rmSync(dir, { recursive: true, force: true });
    if (watchdogPid !== undefined) {
      try {
        process.kill(watchdogPid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };
  const onExit = (): void => stopSync();

  try {
    run(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    const settings = { ...TEST_SETTINGS, ...(opts.settings ?? {}) };
    const conf = Object.entries(settings).map(([k, v]) => `${k} = ${v}`).join('\n');
    // Appended as the owner would: the file belongs to postgres when we are root, and root may write it.
    fs.appendFileSync(path.join(dataDir, 'postgresql.conf'), `\n# griddesk test cluster\n${conf}\n`);

    // Racing another process for the probed port is possible: retry with a fresh one.
    let port = 0;
    for (let attempt = 0; ; attempt++) {
      port = opts.port ?? (await freePort());
      const o = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir}`;
      const [c, a] = asOwner(pgCtl, ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', o]);
      const r = spawnSync(c, a, { encoding: 'utf8' });
      if (r.status === 0) break;
      const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
      if (attempt < 3 && opts.port === undefined && /could not bind|Address already in use/i.test(log)) continue;
      throw new Error(`pg_ctl start failed: ${(r.stderr || r.stdout).trim()}\n${log.slice(-2000)}`);
    }

    process.once('exit', onExit);
    // The watchdog outlives a SIGKILLed owner (process 'exit' hooks do not run then).
    // A zombie still answers kill -0, so its /proc state is read too.
    const script = `while kill -0 ${process.pid} 2>/dev/null && ! grep -q '^State:[[:space:]]*Z' /proc/${process.pid}/status 2>/dev/null; do sleep 1; done; ` +
      `${isRoot() ? 'runuser -u postgres -- ' : ''}'${pgCtl}' stop -D '${dataDir}' -m immediate >/dev/null 2>&1; rm -rf '${dir}'`;
    const wd = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
    wd.unref();
    watchdogPid = wd.pid;

    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      port,
      socketDir: dir,
      dataDir,
      stop: async () => {
        process.removeListener('exit', onExit);
        stopSync();
      },
    };
  } catch (e) {
    stopSync();
    throw e;
  }
}
