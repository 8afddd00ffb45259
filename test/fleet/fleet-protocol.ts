/**
 * What the fleet run (./fleet-run.ts) and its terminal hosts (./terminal-host.ts) say to each other
 * over the child-process IPC channel. A host is a process running a share of the terminals, so
 * the simulation uses every core and no single event loop delays a thousand terminals' replies.
 */
import type { LinkFaultKind } from './link-faults.js';

export interface HostJob {
  readonly hostIndex: number;
  readonly baseUrl: string;
  /** Its terminals: id, secret and the fleet-wide index (which seeds the terminal's choices). */
  readonly terminals: readonly { readonly id: string; readonly secret: string; readonly index: number }[];
  readonly seed: number;
  /** The service area the backend seeded (the same generator and parameters). */
  readonly areaSize: number;
  readonly salesPerSecond: number;
  readonly pushIntervalMs: number;
  readonly pushBatchSize: number;
  readonly pushTimeoutMs: number;
}

export const HOST_JOB_VARIABLE = 'GRIDDESK_FLEET_HOST_JOB';

export type ToHost =
  | { readonly t: 'sell'; readonly faultRate: number }
  | { readonly t: 'stop' }
  | { readonly t: 'drain'; readonly timeoutMs: number }
  | { readonly t: 'accounts' }
  | { readonly t: 'close' };

/** One terminal's account after the drain (./fleet-invariant.ts TerminalAccount, with the map as entries). */
export interface TerminalAccountWire {
  readonly terminalId: string;
  readonly committed: readonly [string, { readonly type: string; readonly amountFen: number }][];
  readonly paymentsFen: number;
  readonly pending: number;
  readonly rejections: readonly { readonly eventId: string; readonly reason: string }[];
}

export type FromHost =
  | { readonly t: 'ready'; readonly setupMs: number }
  | {
      readonly t: 'stopped';
      readonly committed: number;
      readonly payments: number;
      /** Push latencies (ms) of the pushes answered while selling. */
      readonly latencies: readonly number[];
      readonly pushedEvents: number;
      readonly backlog: number;
      readonly faults: Readonly<Record<LinkFaultKind, number>>;
    }
  | { readonly t: 'drained'; readonly pending: number }
  | { readonly t: 'accounts'; readonly accounts: readonly TerminalAccountWire[]; readonly problems: readonly string[] };
