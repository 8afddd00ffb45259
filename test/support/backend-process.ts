/**
 * The reference backend as a child process (test/support/backend-child.ts) for fault runs: a power
 * cut is a real SIGKILL of that process, and a restart opens the same database file on the same
 * port, as a machine coming back would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { BackendChildJob } from './backend-child.js';

const ENTRY = path.resolve(import.meta.dirname, 'backend-child.ts');
const START_TIMEOUT_MS = 30_000;

export interface BackendProcess {
  readonly url: string;
  readonly port: number;
  readonly dbPath: string;
  /** Whether the process is up (false between a power cut and the restart). */
  readonly running: boolean;
  /** SIGKILL, as a power cut: resolves once the process is gone. */
  powerCut(): Promise<void>;
  /** Start again on the same file and port (after a power cut or a stop). */
  restart(): Promise<void>;
  /** SIGTERM: the backend closes its server and database cleanly. */
  stop(): Promise<void>;
}

export interface BackendProcessOptions {
  readonly dbPath: string;
  /** 0 = any free port the first time; restarts reuse the port it got. */
  readonly port?: number;
  /** The pinned clock: `startIso` at wall time `t0Ms`. */
  readonly startIso: string;
  readonly t0Ms: number;
  readonly seedDate?: string;
}

function launch(job: BackendChildJob): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
      env: { ...process.env, BACKEND_CHILD_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`backend did not start in ${START_TIMEOUT_MS} ms: ${err}`));
    }, START_TIMEOUT_MS);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^READY (\d+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`backend exited (${code ?? signal}) before it was ready: ${err}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startBackendProcess(opts: BackendProcessOptions): Promise<BackendProcess> {
  const job = (port: number): BackendChildJob => ({ dbPath: opts.dbPath, port, startIso: opts.startIso, t0Ms: opts.t0Ms, seedDate: opts.seedDate ?? opts.startIso.slice(0, 10) });
  let { child, port } = await launch(job(opts.port ?? 0));
  let running = true;
  const self: BackendProcess = {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    dbPath: opts.dbPath,
    get running() {
      return running;
    },
    async powerCut() {
      running = false;
      child.kill('SIGKILL');
      await exited(child);
    },
    async restart() {
      if (running) return;
      // The port was just freed; a moment's retry covers a slow release.
      for (let attempt = 1; ; attempt++) {
        try {
          ({ child, port } = await launch(job(port)));
          break;
        } catch (e) {
          if (attempt >= 5 || !String(e).includes('EADDRINUSE')) throw e;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      running = true;
    },
    async stop() {
      if (!running) return;
      running = false;
      child.kill('SIGTERM');
      await exited(child);
    },
  };
  return self;
}
