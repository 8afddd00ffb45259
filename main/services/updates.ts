/**
 * Software updates, core side (docs/deploy/updates.md): the state the Electron shell's updater
 * reports, the supervisor's deferral (journaled and synced), and the next step from the pure
 * policy (main/domain/update-policy.ts). The shell asks `next()` on its timer and reports what
 * electron-updater did; the host shell never reports, so it stays `unsupported`.
 */
import type { UpdatePhase, UpdateStatusView } from '../contract/updates.js';
import { nextUpdateStep, type UpdateStep } from '../domain/update-policy.js';
import type { Db } from '../store/db.js';
import { uuidv7 } from '../store/ids.js';
import { appendJournal } from '../store/journal.js';
import { enqueueOutbox } from '../store/outbox.js';
import { deferralByRequest, latestDeferral, UPDATE_DEFERRED } from '../store/updates.js';
import type { Clock } from './clock.js';

export interface UpdateServiceDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly currentVersion: string;
  readonly checkIntervalMs: number;
  /** Nothing is lost by a restart now (kiosk: no visit, nothing paid undelivered; counter: nobody signed in). */
  readonly idle: () => boolean;
}

/** What the shell's updater reports (electron-updater's events, reduced). */
export type UpdateReport =
  | { readonly kind: 'checking' }
  | { readonly kind: 'none' }
  | { readonly kind: 'available'; readonly version: string }
  | { readonly kind: 'progress'; readonly percent: number }
  | { readonly kind: 'downloaded'; readonly version: string }
  | { readonly kind: 'installing' }
  | { readonly kind: 'error'; readonly message: string };

export class UpdateService {
  private phase: UpdatePhase = 'unsupported';
  private availableVersion: string | null = null;
  private percent: number | null = null;
  private lastCheckAt: number | null = null;
  private lastError: string | null = null;

  constructor(private readonly deps: UpdateServiceDeps) {}

  status(): UpdateStatusView {
    const d = latestDeferral(this.deps.db);
    const inForce = d !== null && d.until !== null && Date.parse(d.until) > this.deps.clock().getTime();
    return {
      currentVersion: this.deps.currentVersion,
      phase: this.phase,
      availableVersion: this.availableVersion,
      percent: this.percent,
      lastCheckAt: this.lastCheckAt === null ? null : new Date(this.lastCheckAt).toISOString(),
      lastError: this.lastError,
      deferredUntil: inForce ? d.until : null,
      deferredBy: inForce ? d.by : null,
      deferReason: inForce ? d.reason : null,
      checkIntervalMs: this.deps.checkIntervalMs,
    };
  }

  /** Hold (or with 0 hours, release) checks and installs. A repeated `requestId` changes nothing. */
  defer(requestId: string, hours: number, reason: string, operatorId: string): UpdateStatusView {
    const { db, clock } = this.deps;
    db.transaction(() => {
      if (deferralByRequest(db, requestId)) return;
      const at = clock().toISOString();
      const until = hours === 0 ? null : new Date(clock().getTime() + hours * 3_600_000).toISOString();
      const payload = { requestId, until, by: operatorId, reason, version: this.deps.currentVersion, availableVersion: this.availableVersion };
      appendJournal(db, { type: UPDATE_DEFERRED, ref: requestId, actor: operatorId, at, payload });
      enqueueOutbox(db, { eventId: uuidv7(clock), type: UPDATE_DEFERRED, occurredAt: at, payload });
    }).immediate();
    return this.status();
  }

  /** The shell's next step now. */
  next(): UpdateStep {
    const until = this.status().deferredUntil;
    return nextUpdateStep(
      this.deps.clock().getTime(),
      {
        lastCheckAt: this.lastCheckAt,
        deferredUntil: until === null ? null : Date.parse(until),
        downloadedVersion: this.phase === 'downloaded' ? this.availableVersion : null,
      },
      { checkIntervalMs: this.deps.checkIntervalMs },
      this.deps.idle(),
    );
  }

  report(r: UpdateReport): void {
    switch (r.kind) {
      case 'checking':
        this.phase = 'checking';
        this.lastCheckAt = this.deps.clock().getTime();
        break;
      case 'none':
        this.phase = 'idle';
        this.availableVersion = null;
        this.lastError = null;
        break;
      case 'available':
        this.phase = 'available';
        this.availableVersion = r.version;
        this.lastError = null;
        break;
      case 'progress':
        this.phase = 'downloading';
        this.percent = Math.max(0, Math.min(100, Math.round(r.percent)));
        break;
      case 'downloaded':
        this.phase = 'downloaded';
        this.availableVersion = r.version;
        this.percent = 100;
        break;
      case 'installing':
        this.phase = 'installing';
        break;
      case 'error':
        // A failed check or download is retried at the next check; what was downloaded stays.
        this.phase = this.phase === 'downloaded' ? 'downloaded' : 'error';
        this.lastError = r.message.slice(0, 300);
        break;
    }
  }
}
