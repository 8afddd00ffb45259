/**
 * One configured device under supervision: open it, probe its health on a timer, notice when it
 * is gone, and re-open it with backoff. node-hid has no hot-plug events and a TCP printer can
 * vanish silently, so "gone" is learnt from a failed probe, a failed command or the driver's own
 * disconnect signal, and "back" from re-enumeration.
 *
 * States: connecting → connected ⇄ disconnected. Every transition and every health change is
 * reported once through `onChange`; identical polls report nothing.
 */
import { DeviceError, type DeviceErrorCode } from '../errors.js';
import type { PrinterStatus } from '../printer/receipt-printer.js';
import type { DeviceConnection, DeviceErrorView, DeviceHealth, DeviceKind, DeviceState } from './device-state.js';
import { backoffDelay, type BackoffPolicy, type Scheduler, type TimerHandle } from './scheduler.js';

export interface ProbeResult {
  readonly health: Exclude<DeviceHealth, 'unknown'>;
  readonly fault: DeviceErrorCode | null;
  readonly stateKey: string;
  readonly printer?: PrinterStatus;
  readonly cardSerial?: string | null;
}

/** How to open, watch, probe and close one kind of device. `H` is the opened handle. */
export interface SlotDriver<H> {
  readonly id: string;
  readonly kind: DeviceKind;
  readonly address: string;
  readonly mode: string | null;
  /** Enumerate and open; a DeviceError (`device.not_found`, …) when it is not there. */
  open(): Promise<H>;
  /** Subscribe to the handle's own disconnect signal; returns the unsubscribe. */
  watch(handle: H, lost: (reason: string) => void): () => void;
  /** One health check; throws DeviceError. */
  probe(handle: H): Promise<ProbeResult>;
  close(handle: H): Promise<void>;
}

export interface SlotOptions {
  readonly pollMs: number;
  readonly backoff: BackoffPolicy;
  readonly scheduler: Scheduler;
  readonly onChange: (state: DeviceState) => void;
}

/**
 * Errors that mean "the device is not there any more" (as opposed to "it answered with a
 * problem"): the transport-level device.* codes. A printer that does not answer DLE EOT is as
 * unusable as one whose cable is out.
 */
export function meansGone(err: unknown): boolean {
  return err instanceof DeviceError && (err.code === 'device.disconnected' || err.code === 'device.not_found' || err.code === 'device.timeout');
}

function asDeviceError(err: unknown): DeviceError {
  if (err instanceof DeviceError) return err;
  return new DeviceError('device.disconnected', { reason: err instanceof Error ? err.message : String(err) });
}

export class DeviceSlot<H> {
  private handle: H | null = null;
  private unwatch: (() => void) | null = null;
  private timer: TimerHandle | null = null;
  private attempt = 0;
  private busy: Promise<void> | null = null;
  private stopped = false;
  private state: DeviceState;

  constructor(
    private readonly driver: SlotDriver<H>,
    private readonly opts: SlotOptions,
  ) {
    this.state = {
      id: driver.id,
      kind: driver.kind,
      address: driver.address,
      mode: driver.mode,
      connection: 'connecting',
      health: 'unknown',
      fault: null,
      stateKey: 'diagnostics.state.connecting',
      lastError: null,
      since: this.iso(),
      printer: null,
      cardSerial: null,
    };
  }

  get current(): DeviceState {
    return this.state;
  }

  /** The opened handle, or a typed error saying why there is none. */
  use(): H {
    if (this.handle !== null && this.state.connection === 'connected') return this.handle;
    throw new DeviceError(this.state.connection === 'connecting' ? 'device.not_found' : 'device.disconnected', {
      device: this.driver.id,
    });
  }

  start(): void {
    this.stopped = false;
    void this.tick();
  }

  /** Check now instead of at the next timer (after a failed command, or on a technician's request). */
  refresh(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return this.tick();
  }

  /** A command on the handle failed: record it; if the failure means the device is gone, reconnect. */
  reportFailure(err: unknown): void {
    const e = asDeviceError(err);
    this.patch({ lastError: this.errorView(e) });
    if (meansGone(e) && this.handle !== null) this.lost(String(e.details.reason ?? e.code), e);
  }

  /** Card reader / scanner updates between probes (card in or out). */
  patchCard(cardSerial: string | null): void {
    this.patch({ cardSerial });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    await this.busy?.catch(() => undefined);
    await this.release();
  }

  private tick(): Promise<void> {
    // One open/probe at a time; a refresh during a probe waits for it and then runs once more.
    const run = (this.busy ?? Promise.resolve()).then(() => this.step());
    const mine = run.finally(() => {
      if (this.busy === mine) this.busy = null;
    });
    this.busy = mine;
    return mine;
  }

  private async step(): Promise<void> {
    if (this.stopped) return;
    this.timer?.cancel();
    this.timer = null;
    if (this.handle === null) await this.tryOpen();
    else await this.probe();
  }

  private async tryOpen(): Promise<void> {
    let handle: H;
    try {
      handle = await this.driver.open();
    } catch (err) {
      if (this.stopped) return;
      const e = asDeviceError(err);
      const delay = backoffDelay(this.attempt, this.opts.backoff);
      this.attempt++;
      this.patch({ connection: 'disconnected', health: 'fault', fault: 'device.disconnected', stateKey: 'diagnostics.state.disconnected', lastError: this.errorView(e) });
      this.schedule(delay);
      return;
    }
    if (this.stopped) {
      await this.driver.close(handle).catch(() => undefined);
      return;
    }
    this.handle = handle;
    this.unwatch = this.driver.watch(handle, (reason) => this.lost(reason, new DeviceError('device.disconnected', { device: this.driver.id, reason })));
    await this.probe();
  }

  private async probe(): Promise<void> {
    const handle = this.handle;
    if (handle === null) return;
    try {
      const r = await this.driver.probe(handle);
      if (this.stopped || this.handle !== handle) return;
      this.attempt = 0;
      this.patch({
        connection: 'connected',
        health: r.health,
        fault: r.fault,
        stateKey: r.stateKey,
        ...(r.printer !== undefined ? { printer: r.printer } : {}),
        ...(r.cardSerial !== undefined ? { cardSerial: r.cardSerial } : {}),
      });
      this.schedule(this.opts.pollMs);
    } catch (err) {
      if (this.stopped || this.handle !== handle) return;
      const e = asDeviceError(err);
      if (meansGone(e)) {
        this.lost(String(e.details.reason ?? e.details.cause ?? e.code), e);
        return;
      }
      // It answered, but with a problem (corrupt line, bad status byte): keep it, show the fault.
      this.patch({ connection: 'connected', health: 'fault', fault: e.code, stateKey: 'diagnostics.state.error', lastError: this.errorView(e) });
      this.schedule(this.opts.pollMs);
    }
  }

  /** The handle is unusable: drop it and re-open with backoff (the attempt count resets only on a good probe). */
  private lost(reason: string, err: DeviceError): void {
    if (this.stopped) return;
    void this.release();
    const e = err.details.reason === undefined ? new DeviceError(err.code, { ...err.details, reason }) : err;
    this.patch({
      connection: 'disconnected',
      health: 'fault',
      fault: 'device.disconnected',
      stateKey: 'diagnostics.state.disconnected',
      lastError: this.errorView(e),
      cardSerial: null,
    });
    this.schedule(backoffDelay(this.attempt++, this.opts.backoff));
  }

  private async release(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    this.unwatch?.();
    this.unwatch = null;
    if (h !== null) await this.driver.close(h).catch(() => undefined);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer?.cancel();
    this.timer = this.opts.scheduler.after(ms, () => {
      this.timer = null;
      void this.tick();
    });
  }

  private patch(p: Partial<Omit<DeviceState, 'id' | 'kind' | 'address' | 'mode' | 'since'>>): void {
    const prev = this.state;
    const connection: DeviceConnection = p.connection ?? prev.connection;
    // The same error again (every failed re-open) keeps its first time, so it is not news.
    const lastError = p.lastError !== undefined && sameError(p.lastError, prev.lastError) ? prev.lastError : (p.lastError ?? prev.lastError);
    const next: DeviceState = { ...prev, ...p, lastError, since: connection !== prev.connection ? this.iso() : prev.since };
    if (sameState(prev, next)) return;
    this.state = next;
    this.opts.onChange(next);
  }

  private errorView(e: DeviceError): DeviceErrorView {
    return { code: e.code, details: e.details, at: this.iso() };
  }

  private iso(): string {
    return new Date(this.opts.scheduler.now()).toISOString();
  }
}

function sameError(a: DeviceErrorView | null, b: DeviceErrorView | null): boolean {
  if (a === null || b === null) return a === b;
  return a.code === b.code && JSON.stringify(a.details) === JSON.stringify(b.details);
}

function sameState(a: DeviceState, b: DeviceState): boolean {
  return (
    a.connection === b.connection &&
    a.health === b.health &&
    a.fault === b.fault &&
    a.stateKey === b.stateKey &&
    a.lastError === b.lastError &&
    a.cardSerial === b.cardSerial &&
    JSON.stringify(a.printer) === JSON.stringify(b.printer)
  );
}
