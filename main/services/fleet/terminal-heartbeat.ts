/**
 * The counter's minute heartbeat (the kiosk sends its own from its sweeper, with its visit and
 * order state): devices and paper, the outbox backlog and the last good push, the clock's drift
 * from the backend, the version. The backend keeps the latest per terminal and shows the fleet
 * (docs/backend.md, "Fleet health"). A failed beat is only logged: the next one says it all again.
 */
import type { DeviceManager } from '../../../kiosk-drivers/device-manager/device-manager.js';
import type { PrinterHealth } from '../../../kiosk-drivers/device-manager/device-state.js';
import type { TerminalConfig } from '../../config.js';
import type { Db } from '../../store/db.js';
import { oldestOutboxAt } from '../../store/kiosk.js';
import type { Heartbeat, HeartbeatAck } from '../../wire/kiosk-wire.js';
import type { Clock } from '../clock.js';

/** What the core's sync knows, for the heartbeat of either mode. */
export interface SyncFacts {
  /** Terminal clock minus backend clock (ms), or null before any signed reply. */
  readonly clockDriftMs: number | null;
  readonly lastPushAt: string | null;
}

export interface TerminalHeartbeatDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly config: TerminalConfig;
  readonly devices: DeviceManager | null;
  readonly version: string;
  readonly outboxDepth: () => number;
  readonly syncFacts: () => SyncFacts;
  readonly send: (beat: Heartbeat, timeoutMs: number) => Promise<HeartbeatAck>;
  readonly log?: (line: string) => void;
}

/** The printer's paper as the fleet view shows it. */
export function paperOf(h: PrinterHealth | undefined): Heartbeat['paper'] {
  return !h || h.status === null ? 'unknown' : h.fault === 'printer.paper_out' ? 'out' : h.paperNearEnd ? 'near_end' : 'ok';
}

export class CounterHeartbeat {
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<boolean> | null = null;

  constructor(private readonly deps: TerminalHeartbeatDeps) {}

  body(): Heartbeat {
    const { config, devices, db } = this.deps;
    return {
      terminalId: config.terminalId,
      mode: config.mode,
      at: this.deps.clock().toISOString(),
      version: this.deps.version,
      outboxBacklog: this.deps.outboxDepth(),
      oldestPendingAt: oldestOutboxAt(db),
      paper: paperOf(devices?.printerHealth()),
      // A counter serves whenever it runs; what it cannot do is told by its device faults.
      inService: true,
      functions: {},
      devices: (devices?.list() ?? []).map((d) => ({ deviceId: d.id, kind: d.kind, connected: d.connection === 'connected', fault: d.fault })),
      undelivered: 0,
      ...this.deps.syncFacts(),
    };
  }

  /** One beat now; true when the backend took it. Never two at once. */
  beat(): Promise<boolean> {
    this.sending ??= this.deps
      .send(this.body(), this.deps.config.backend.pushTimeoutMs)
      .then(() => true)
      .catch((e: unknown) => {
        this.deps.log?.(`[heartbeat] not sent: ${e instanceof Error ? e.message : String(e)}`);
        return false;
      })
      .finally(() => (this.sending = null));
    return this.sending;
  }

  /** A beat at once, then every `kiosk.heartbeatIntervalMs` (the one heartbeat interval of both modes). */
  start(): void {
    if (this.timer) return;
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.deps.config.kiosk.heartbeatIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sending;
  }
}
