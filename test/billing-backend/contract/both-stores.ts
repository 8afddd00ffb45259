/**
 * The contract files' fixture: one backend on SQLite and one on PostgreSQL (a throwaway cluster),
 * started with the same options for the file's tests, and `onBoth` to ask both the same thing.
 */
import { afterAll, beforeAll } from 'vitest';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster.js';
import type { BackendOptions } from '../server.js';
import { startTestBackend, type TestBackend } from '../testing.js';

export const KINDS = ['sqlite', 'pg'] as const;
export type Kind = (typeof KINDS)[number];

export interface BothStores {
  /** Filled before the file's tests run (beforeAll). */
  readonly backends: Record<Kind, TestBackend>;
  /** The same call against each store, SQLite first, one after the other. */
  onBoth<T>(call: (kind: Kind) => Promise<T>): Promise<Record<Kind, T>>;
  /** The cluster's URL, for a test that talks to PostgreSQL itself. */
  pgUrl(): string;
}

/** Registers the start (beforeAll) and the stop (afterAll) of both backends. */
export function bothStores(options: Partial<BackendOptions>, startTimeoutMs = 60_000): BothStores {
  let cluster: PgCluster | undefined;
  const backends = {} as Record<Kind, TestBackend>;
  beforeAll(async () => {
    cluster = await startPgCluster();
    backends.sqlite = await startTestBackend(options);
    backends.pg = await startTestBackend({ ...options, store: { kind: 'pg', url: cluster.url } });
  }, startTimeoutMs);
  afterAll(async () => {
    await backends.sqlite?.dispose();
    await backends.pg?.dispose();
    await cluster?.stop();
  });
  return {
    backends,
    onBoth: async (call) => ({ sqlite: await call('sqlite'), pg: await call('pg') }),
    pgUrl: () => {
      if (cluster === undefined) throw new Error('the PostgreSQL cluster is not started yet');
      return cluster.url;
    },
  };
}
