/**
 * The one place that knows where resources/ (config defaults, locales, tariffs, rules, keys) lives.
 * A packaged app has no repository around it: electron-builder copies resources/ to
 * `process.resourcesPath/resources` (extraResources), while the code sits inside app.asar. From a
 * checkout the folder is the repository's resources/, reached from main/ (tsx, vitest) or from
 * dist/main/ (emitted JS).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ResourcesDirOptions {
  /** Electron's `process.resourcesPath`; undefined in plain Node. */
  readonly resourcesPath?: string | undefined;
  /** The folder of this module (main/ or dist/main/); injectable for tests. */
  readonly moduleDir?: string;
  readonly exists?: (p: string) => boolean;
}

/** Electron adds `resourcesPath` to `process`; plain Node has no such property. */
function electronResourcesPath(): string | undefined {
  const p = (process as NodeJS.Process & { resourcesPath?: unknown }).resourcesPath;
  return typeof p === 'string' && p.length > 0 ? p : undefined;
}

/** Candidate folders in the order they are tried. */
export function resourcesDirCandidates(opts: ResourcesDirOptions = {}): string[] {
  const moduleDir = opts.moduleDir ?? path.dirname(fileURLToPath(import.meta.url));
  const resourcesPath = 'resourcesPath' in opts ? opts.resourcesPath : electronResourcesPath();
  return [
    // An unpackaged `electron .` has a resourcesPath too (Electron's own), without our folder in it.
    ...(resourcesPath ? [path.join(resourcesPath, 'resources')] : []),
    path.resolve(moduleDir, '..', 'resources'), // main/ → <repo>/resources
    path.resolve(moduleDir, '..', '..', 'resources'), // dist/main/ → <repo>/resources
  ];
}

export function resourcesDir(opts: ResourcesDirOptions = {}): string {
  const exists = opts.exists ?? existsSync;
  const candidates = resourcesDirCandidates(opts);
  const found = candidates.find((c) => exists(c));
  if (!found) throw new Error(`resources/ not found; looked in ${candidates.join(', ')}`);
  return found;
}
