/**
 * Terminal configuration: one JSON file per terminal, validated here at start. Defaults live in
 * resources/config/terminal.default.json; a site file overrides them (see README, "Configure a terminal").
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { deepMerge } from './i18n/deep-merge.js';

const HostPort = z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535) });

export const TerminalConfigSchema = z
  .object({
    terminalId: z.string().regex(/^[A-Za-z0-9-]{1,32}$/),
    mode: z.enum(['counter', 'kiosk']),
    defaultLocale: z.enum(['zh-CN', 'en']),
    /** IANA zone used to display times and to decide "today" for due dates. */
    timeZone: z.string().min(1),
    dataDir: z.string().min(1),
    backend: z.object({
      url: z.string().url(),
      terminalSecret: z.string().min(16),
      /** How long an online lookup may take before the cache answers instead. */
      lookupTimeoutMs: z.number().int().min(100).max(30_000),
      pushIntervalMs: z.number().int().min(200).max(600_000),
      pushBatchSize: z.number().int().min(1).max(500),
    }),
    printer: z.discriminatedUnion('transport', [
      HostPort.extend({ transport: z.literal('network') }),
      z.object({ transport: z.literal('usb'), path: z.string().min(1) }),
      z.object({ transport: z.literal('serial'), path: z.string().min(1) }),
      z.object({ transport: z.literal('none') }),
    ]),
    receipt: z.object({ header: z.string().max(48), hotline: z.string().max(24) }),
  })
  .strict();

export type TerminalConfig = z.infer<typeof TerminalConfigSchema>;

export function loadConfig(paths: readonly string[]): TerminalConfig {
  let merged: Record<string, unknown> = {};
  for (const p of paths) merged = deepMerge(merged, JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>);
  const parsed = TerminalConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid terminal config at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'unknown'}`);
  }
  return parsed.data;
}
