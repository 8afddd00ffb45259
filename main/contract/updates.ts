/**
 * Software updates (docs/deploy/updates.md): what the terminal runs, what the update server
 * offers, and a supervisor's deferral. The Electron shell does the checking and installing
 * (main/electron/updater.ts, electron-updater); the core keeps the state and the deferral, so the
 * host shell answers too (it never finds an update: it is updated by its package manager).
 */
import { z } from 'zod';
import type { Access } from './roles.js';
import { MAX_DEFER_HOURS } from '../domain/update-policy.js';

const UPDATE_MANAGERS = ['supervisor', 'manager', 'technician'] as const;

export const updateMethodSchemas = {
  'updates.status': z.object({}).strict(),
  /** Hold checks and installs for `hours` (0 lifts a deferral), with a reason; journaled and synced. */
  'updates.defer': z
    .object({
      requestId: z.string().uuid(),
      hours: z.number().int().min(0).max(MAX_DEFER_HOURS),
      reason: z.string().trim().min(1).max(200),
    })
    .strict(),
} as const;

export const updateMethodAccess = {
  'updates.status': [...UPDATE_MANAGERS, 'clerk', 'auditor'],
  'updates.defer': [...UPDATE_MANAGERS],
} as const satisfies Record<keyof typeof updateMethodSchemas, Access>;

export type UpdatePhase = 'idle' | 'checking' | 'available' | 'downloading' | 'downloaded' | 'installing' | 'error' | 'unsupported';

export interface UpdateStatusView {
  /** The version running now. */
  readonly currentVersion: string;
  /** `unsupported`: this shell does not update itself (host shell, development). */
  readonly phase: UpdatePhase;
  /** The newer version on offer (available, downloading, downloaded), else null. */
  readonly availableVersion: string | null;
  /** Download progress 0–100 while downloading. */
  readonly percent: number | null;
  readonly lastCheckAt: string | null;
  /** Why the last check or download failed, in the updater's words (for a technician). */
  readonly lastError: string | null;
  readonly deferredUntil: string | null;
  readonly deferredBy: string | null;
  readonly deferReason: string | null;
  readonly checkIntervalMs: number;
}

export interface UpdateMethodResults {
  'updates.status': UpdateStatusView;
  'updates.defer': UpdateStatusView;
}
