/** Shared by both shells (main/host/main.ts, main/electron/main.ts) and the demo launcher. */
export interface LastResortOptions {
  /** The running host's stop function, or null while it is still starting. */
  readonly stop: () => (() => Promise<void>) | null;
  readonly log?: (line: string) => void;
  readonly exit?: (code: number) => void;
  /** How long a clean close may take before the process exits anyway. */
  readonly graceMs?: number;
}

const LAST_RESORT_GRACE_MS = 10_000;

/**
 * The process-level last resort for an error nothing else caught. Nothing relies on it: the host
 * shell answers bad input itself (host-server.ts). It logs one line, closes cleanly and exits 1;
 * it does not serve on. After such an error the core's memory (sessions, a vend's state machine,
 * device polling, the outbox timer) is in a state nobody can vouch for, while the data is safe on
 * disk: every money-moving operation is one synchronous SQLite transaction, so a throw rolls it
 * back and none is left half-written. The clean close refuses new calls, lets in-flight calls and
 * print jobs finish, pushes the outbox and closes the database; whatever launched the terminal
 * restarts it on the same journal, where interrupted vends resume. Serving on instead could act on
 * that unknown state with customers' money. Unhandled rejections are treated the same (Node's own
 * default also ends the process for them). Further errors while closing are logged; the grace
 * period bounds the close.
 */
export function installLastResort(proc: Pick<NodeJS.EventEmitter, 'on'>, opts: LastResortOptions): void {
  const log = opts.log ?? ((line: string) => console.error(line));
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let closing = false;
  const fatal = (kind: string) => (err: unknown) => {
    log(`GridDesk: ${kind}${closing ? ' while closing' : '; closing the core and exiting'}: ${oneLine(err)}`);
    if (closing) return;
    closing = true;
    const stop = opts.stop();
    if (!stop) {
      exit(1);
      return;
    }
    const timer = setTimeout(() => {
      log('GridDesk: the core did not close in time; exiting');
      exit(1);
    }, opts.graceMs ?? LAST_RESORT_GRACE_MS);
    stop().then(
      () => {
        clearTimeout(timer);
        exit(1);
      },
      (closeErr: unknown) => {
        clearTimeout(timer);
        log(`GridDesk: closing failed: ${oneLine(closeErr)}`);
        exit(1);
      },
    );
  };
  proc.on('uncaughtException', fatal('uncaught exception'));
  proc.on('unhandledRejection', fatal('unhandled rejection'));
}

/** An error with its stack on one log line. */
function oneLine(err: unknown): string {
  let text: string;
  try {
    text = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : `non-error thrown: ${String(err)}`;
  } catch {
    text = 'unprintable value thrown';
  }
  return text.replace(/\s*\n\s*/g, ' | ').slice(0, 4000);
}
