/**
 * Runs a core in a child process for crash tests: the job travels in an environment variable, and
 * `crashAt` names the crash point where the child SIGKILLs itself (GRIDDESK_CRASH_AT). A clean exit
 * or a kill resolves; any other exit fails with the child's stderr.
 */
import { spawn } from 'node:child_process';

export interface ChildRun {
  readonly code: number | null;
  readonly signal: string | null;
  readonly out: string;
}

export function runChildCore(script: string, jobVariable: string, job: unknown, crashAt: string | null): Promise<ChildRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, [jobVariable]: JSON.stringify(job) };
  delete env.GRIDDESK_CRASH_AT;
  delete env.GRIDDESK_SECURE_MODULE_CONFIG;
  if (crashAt) env.GRIDDESK_CRASH_AT = crashAt;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`runner exited ${code}: ${err}`));
      else resolve({ code, signal, out });
    });
  });
}
