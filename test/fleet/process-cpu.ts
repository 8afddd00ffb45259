/**
 * CPU seconds of the fleet's processes, read from /proc (Linux): on a shared 2-core machine the
 * wall-clock figures mean little without them. The backend is one child process; PostgreSQL is
 * its postmaster and every process it forked (one per connection).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Linux's USER_HZ: /proc reports CPU time in 1/100 s on every platform Node runs on. */
const TICKS_PER_SECOND = 100;

interface Stat {
  readonly ppid: number;
  readonly ticks: number;
  /** Of its children that exited and were waited for. */
  readonly childTicks: number;
}

function statOf(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), childTicks: Number(fields[13]) + Number(fields[14]) };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) of one process so far; 0 once it is gone. */
export function processCpuSeconds(pid: number): number {
  return (statOf(pid)?.ticks ?? 0) / TICKS_PER_SECOND;
}

/** CPU seconds of the cluster whose data directory is `dataDir`: the postmaster and its children, live or exited. */
export function pgClusterCpuSeconds(dataDir: string): number {
  let postmaster: number;
  try {
    postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return 0;
  }
  const own = statOf(postmaster);
  let ticks = own === null ? 0 : own.ticks + own.childTicks;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = statOf(Number(entry));
    if (s !== null && s.ppid === postmaster) ticks += s.ticks;
  }
  return ticks / TICKS_PER_SECOND;
}

/** This process's CPU seconds (user + system). */
export function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
