/**
 * Terminal configuration: one JSON file per terminal, validated here at start. Defaults live in
 * resources/config/terminal.default.json; a site file overrides them (see README, "Configure a terminal").
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { deepMerge } from './i18n/deep-merge.js';

const HostPort = z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535) });

/** A HID device by USB ids; serial number, usage page or OS path pin one of several identical ones. */
const HidMatch = z
  .object({
    vendorId: z.number().int().min(0).max(0xffff),
    productId: z.number().int().min(0).max(0xffff),
    serialNumber: z.string().min(1).max(64).optional(),
    usagePage: z.number().int().min(0).max(0xffff).optional(),
    path: z.string().min(1).max(256).optional(),
  })
  .strict();

/** Card reader and scanners (docs/devices/device-manager.md). `simulated`: the simulated HID bus replaces node-hid. */
const DevicesConfig = z
  .object({
    simulated: z.boolean().default(false),
    cardReader: HidMatch.nullable().default(null),
    scanners: z.array(HidMatch.extend({ mode: z.enum(['pos', 'wedge']) }).strict()).max(4).default([]),
    /** Health poll intervals: printer DLE EOT status, card STATUS (also card in/out), scanner presence. */
    printerPollMs: z.number().int().min(200).max(600_000).default(5000),
    cardPollMs: z.number().int().min(100).max(60_000).default(500),
    scannerPollMs: z.number().int().min(200).max(600_000).default(2000),
    reconnect: z
      .object({ initialMs: z.number().int().min(50).max(60_000).default(500), maxMs: z.number().int().min(100).max(600_000).default(10_000) })
      .strict()
      .default({ initialMs: 500, maxMs: 10_000 }),
  })
  .strict();

/**
 * How a print job is known to be finished: `transmit_status` (GS r 1, answered after the last
 * line is printed) or, for printers without GS r, `poll` (DLE EOT fault-free for a while).
 */
const PrinterJob = {
  completion: z.enum(['transmit_status', 'poll']).default('transmit_status'),
  jobTimeoutMs: z.number().int().min(1000).max(120_000).default(20_000),
};

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
      /** How long one push (or one page of a pull) may take before the backend counts as unavailable. */
      pushTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
      pushIntervalMs: z.number().int().min(200).max(600_000),
      pushBatchSize: z.number().int().min(1).max(500),
    }),
    printer: z.discriminatedUnion('transport', [
      HostPort.extend({ transport: z.literal('network'), ...PrinterJob }),
      z.object({ transport: z.literal('usb'), path: z.string().min(1), ...PrinterJob }),
      z.object({ transport: z.literal('serial'), path: z.string().min(1), ...PrinterJob }),
      z.object({ transport: z.literal('none') }),
    ]),
    receipt: z.object({ header: z.string().max(48), hotline: z.string().max(24) }),
    devices: DevicesConfig.optional(),
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
