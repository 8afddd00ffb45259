/**
 * The host entry's process-level last resort (issue #7): an uncaught exception or unhandled
 * rejection logs one line, closes the host and core cleanly (in-flight calls drain, the database
 * closes) and exits 1 — bounded by a grace period, and once however many errors follow.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installLastResort } from '../../../main/last-resort.js';

function harness(stop: (() => Promise<void>) | null, graceMs = 1000) {
  const proc = new EventEmitter();
  const lines: string[] = [];
  const exits: number[] = [];
  let exited: () => void = () => undefined;
  const exitedOnce = new Promise<void>((resolve) => (exited = resolve));
  installLastResort(proc, {
    stop: () => stop,
    log: (line) => lines.push(line),
    exit: (code) => {
      exits.push(code);
      exited();
    },
    graceMs,
  });
  return { proc, lines, exits, exitedOnce };
}

describe('installLastResort', () => {
  it('logs an uncaught exception on one line, closes cleanly, then exits 1', async () => {
    let release: () => void = () => undefined;
    let stops = 0;
    const h = harness(() => {
      stops++;
      return new Promise<void>((resolve) => (release = resolve));
    });
    h.proc.emit('uncaughtException', new TypeError("Cannot read properties of null (reading 'id')"));
    expect(h.lines).toHaveLength(1);
    expect(h.lines[0]).toMatch(/uncaught exception; closing the core and exiting: TypeError: Cannot read properties of null/);
    expect(h.lines[0]).not.toContain('\n');
    expect(stops).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(h.exits).toEqual([]); // still draining
    release();
    await h.exitedOnce;
    expect(h.exits).toEqual([1]);
  });

  it('treats an unhandled rejection (even of a non-Error) the same way', async () => {
    const h = harness(async () => undefined);
    h.proc.emit('unhandledRejection', Object.create(null) as unknown);
    await h.exitedOnce;
    expect(h.lines).toEqual([expect.stringMatching(/unhandled rejection; closing the core and exiting: unprintable value thrown/)]);
    expect(h.exits).toEqual([1]);
  });

  it('closes once when more errors arrive while closing, logging one line each', async () => {
    let release: () => void = () => undefined;
    let stops = 0;
    const h = harness(() => {
      stops++;
      return new Promise<void>((resolve) => (release = resolve));
    });
    h.proc.emit('uncaughtException', new Error('first'));
    h.proc.emit('unhandledRejection', new Error('second'));
    expect(stops).toBe(1);
    expect(h.lines).toHaveLength(2);
    expect(h.lines[1]).toMatch(/unhandled rejection while closing: Error: second/);
    release();
    await h.exitedOnce;
    expect(h.exits).toEqual([1]);
  });

  it('exits after the grace period when the close hangs, and at once while the host is still starting', async () => {
    const hung = harness(() => new Promise<void>(() => undefined), 20);
    hung.proc.emit('uncaughtException', new Error('boom'));
    await hung.exitedOnce;
    expect(hung.exits).toEqual([1]);
    expect(hung.lines[1]).toMatch(/did not close in time/);

    const starting = harness(null);
    starting.proc.emit('uncaughtException', new Error('boom'));
    expect(starting.exits).toEqual([1]);
    expect(starting.lines).toHaveLength(1);
  });

  it('logs a failed close and still exits 1', async () => {
    const h = harness(() => Promise.reject(new Error('database is locked')));
    h.proc.emit('uncaughtException', new Error('boom'));
    await h.exitedOnce;
    expect(h.exits).toEqual([1]);
    expect(h.lines[1]).toMatch(/closing failed: Error: database is locked/);
  });
});
