/** Runs scripts/lint.sh for real on a scratch tree holding only `files`. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function lint(files: Record<string, string>): { status: number | null; out: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'gd-lint-'));
  for (const d of ['main/electron', 'kiosk-drivers', 'renderer/src', 'test', 'scripts']) mkdirSync(path.join(root, d), { recursive: true });
  copyFileSync(path.resolve('scripts', 'lint.sh'), path.join(root, 'scripts', 'lint.sh'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  const r = spawnSync('bash', [path.join(root, 'scripts', 'lint.sh')], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}
