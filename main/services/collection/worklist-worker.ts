/**
 * A worker thread's share of the day's worklist (worklist.ts splits a large cache by account
 * number over two threads): its own read-only connection to the cache file, the same pass.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { assessRange, type PassInputs } from './worklist-pass.js';

export interface WorkerJob {
  readonly dbPath: string;
  readonly inputs: PassInputs;
  readonly from: string | null;
  readonly to: string | null;
  readonly mmapBytes: number;
}

const job = workerData as WorkerJob;
const db = new Database(job.dbPath, { readonly: true, fileMustExist: true });
try {
  db.pragma(`mmap_size = ${job.mmapBytes}`);
  // As JSON text: writing and reading it back is faster than the structured clone of as many objects.
  parentPort?.postMessage({ ok: true, entries: JSON.stringify(assessRange(db, job.inputs, job.from, job.to)) });
} catch (e) {
  parentPort?.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) });
} finally {
  db.close();
}
