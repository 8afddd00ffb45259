/**
 * Node tier: the secure module's configuration and the vending key file. The key file lives
 * outside the database (resources/keys/ for the demo's TEST KEY MATERIAL; a protected path on a
 * real terminal). Errors name the path, never the contents.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { resourcesDir } from '../../resources-dir.js';
import { StsError } from '../sts/sts-error.js';
import { blockFromHex, SAMPLE_TEST_TABLES, type Block64, type Ea07Tables } from '../sts/index.js';
import { loadEa07TablesFileSync } from '../../loaders/sts-tables.js';

export const KEYS_DIR = path.join(resourcesDir(), 'keys');

export const SecureModuleConfigSchema = z
  .object({
    mode: z.enum(['online', 'local']),
    /** Vending key file; relative paths are resolved against resources/keys. */
    keyFile: z.string().min(1).nullable(),
    /** Online mode: issue locally (as an offline vend) when the backend is unreachable. */
    localFallback: z.boolean(),
    /** Credit this terminal may issue without the backend before those vends are synced, fen. */
    offlineCreditLimitFen: z.number().int().min(0).max(100_000_000),
    onlineTimeoutMs: z.number().int().min(100).max(60_000),
    /**
     * A cash vend still `created` this long after it was created is cancelled on start/resume: no
     * money was recorded as taken at `created` (cash is taken at `paid`), and it would otherwise
     * hold offline credit (and a card meter's one pending purchase) for ever. Default 30 minutes.
     */
    staleCashVendMinutes: z.number().int().min(0).max(7 * 24 * 60).default(30),
  })
  .strict();
export type SecureModuleConfig = z.infer<typeof SecureModuleConfigSchema>;

/** resources/keys/secure-module.json, or the file named by $GRIDDESK_SECURE_MODULE_CONFIG. */
export function secureModuleConfigPath(): string {
  return process.env.GRIDDESK_SECURE_MODULE_CONFIG ?? path.join(KEYS_DIR, 'secure-module.json');
}

export function loadSecureModuleConfig(file = secureModuleConfigPath()): SecureModuleConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    throw new StsError('vending.key_file_unreadable', { path: file });
  }
  const parsed = SecureModuleConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue ? [...issue.path, ...(issue.code === 'unrecognized_keys' ? [issue.keys[0] ?? ''] : [])].join('.') || '(root)' : '(root)';
    throw new Error(`invalid secure module config ${file}: ${field}: ${issue?.message ?? ''}`);
  }
  return parsed.data;
}

/**
 * The demo vending key (TEST KEY MATERIAL: DOMAIN.md's DKGA02 example, resources/keys/demo-vending-key.json
 * and the reference backend's copy). Refused outside the demo even when a copy forgets its
 * `testKeyMaterial` flag (main/compose/secure-modules.ts).
 */
export const DEMO_VENDING_KEY_HEX = 'ABABABABABABABAB';

const KeyFileSchema = z.object({
  vendingKey: z.string().regex(/^[0-9A-Fa-f]{16}$/),
  /** 'sample' = the published SAMPLE TEST tables; otherwise a tables file next to the key file. */
  tables: z.string().min(1),
  testKeyMaterial: z.boolean().optional(),
});

export interface VendingKeyMaterial {
  readonly vendingKey: Block64;
  readonly tables: Ea07Tables;
  readonly testKeyMaterial: boolean;
}

export function resolveKeyPath(file: string): string {
  return path.isAbsolute(file) ? file : path.join(KEYS_DIR, file);
}

export function loadVendingKeyFile(file: string): VendingKeyMaterial {
  const full = resolveKeyPath(file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(full, 'utf8')) as unknown;
  } catch {
    throw new StsError('vending.key_file_unreadable', { path: full });
  }
  const parsed = KeyFileSchema.safeParse(raw);
  if (!parsed.success) throw new StsError('vending.bad_key', { path: full });
  const tables = parsed.data.tables === 'sample' ? SAMPLE_TEST_TABLES : loadEa07TablesFileSync(resolveKeyPath(path.join(path.dirname(full), parsed.data.tables)));
  const testKeyMaterial = parsed.data.testKeyMaterial === true || parsed.data.vendingKey.toUpperCase() === DEMO_VENDING_KEY_HEX;
  return { vendingKey: blockFromHex(parsed.data.vendingKey), tables, testKeyMaterial };
}
