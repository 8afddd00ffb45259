/**
 * Test fixture: a backend on an ephemeral loopback port with its own temp SQLite file, a pinned
 * clock, and a client signed as the demo terminal. For integration tests of the backend and of
 * the terminal's sync client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_TERMINAL } from '../../main/sync/signing.js';
import { startBackend, type BackendOptions, type RunningBackend } from './server.js';
import { createSignedClient, type SignedClient } from './signed-client.js';

/** The pinned "now" of backend tests: the seed date, mid-morning. */
export const TEST_NOW = new Date('2026-11-27T02:00:00.000Z');

export interface TestBackend {
  readonly backend: RunningBackend;
  readonly client: SignedClient;
  readonly dir: string;
  readonly dbPath: string;
  /** Closes the backend and removes the temp dir. */
  dispose(): Promise<void>;
}

export async function startTestBackend(overrides: Partial<BackendOptions> = {}): Promise<TestBackend> {
  const dir = mkdtempSync(join(tmpdir(), 'gd-backend-'));
  const dbPath = overrides.dbPath ?? join(dir, 'backend.db');
  const now = overrides.now ?? ((): Date => TEST_NOW);
  const backend = await startBackend({ ...overrides, dbPath, now });
  const client = createSignedClient({ baseUrl: backend.url, terminalId: DEMO_TERMINAL.id, secret: DEMO_TERMINAL.secret, now });
  return {
    backend,
    client,
    dir,
    dbPath,
    async dispose() {
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
