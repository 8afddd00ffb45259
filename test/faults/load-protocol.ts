/**
 * What the fault run (test/faults/fault-run.ts) and its load process (test/faults/load-core.ts)
 * say to each other: the job in an environment variable, one `LOAD {json}` line per event on stdout.
 */

export interface LoadCall {
  readonly kind: 'payment' | 'vend';
  readonly requestId: string;
  readonly accountNo: string;
  /** Yuan text, as a clerk types it. */
  readonly amount: string;
}

export interface LoadJob {
  readonly dataDir: string;
  /** The fault proxy in front of the backend. */
  readonly backendUrl: string;
  /** The pinned clock: `startIso` at wall time `t0Ms`. */
  readonly startIso: string;
  readonly t0Ms: number;
  /** Seeds this process's choice of accounts and amounts (with `generation`). */
  readonly seed: number;
  readonly generation: number;
  readonly mode: 'load' | 'final';
  readonly retry: readonly LoadCall[];
  readonly paymentWorkers: number;
  readonly vendWorkers: number;
  /** Half the payments go to these (a few accounts, many concurrent calls on each) … */
  readonly hotAccounts: readonly string[];
  /** … half to these (many accounts with open bills: part payments, settlement, late fees). */
  readonly paymentAccounts: readonly string[];
  readonly vendAccounts: readonly string[];
}

export type LoadLine =
  | { readonly t: 'ready'; readonly generation: number }
  | { readonly t: 'begin'; readonly call: LoadCall }
  | {
      readonly t: 'end';
      readonly call: LoadCall;
      readonly ok: boolean;
      readonly code?: string;
      readonly paymentId?: string;
      readonly amountFen?: number;
      readonly vendId?: string;
      readonly state?: string;
    }
  | { readonly t: 'final'; readonly pending: number; readonly vendStates: Readonly<Record<string, number>>; readonly syncRounds: number; readonly lastError: string | null };

export const LOAD_JOB_VARIABLE = 'FAULT_LOAD_JOB';
export const LOAD_LINE_PREFIX = 'LOAD ';
