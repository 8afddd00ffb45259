/**
 * Terminal configuration: one JSON file per terminal, validated here at start. Defaults live in
 * resources/config/terminal.default.json; a site file overrides them (see README, "Configure a terminal").
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { deepMerge } from './i18n/deep-merge.js';
import { DEMO_TERMINAL } from './sync/signing.js';
import { readCredentialsFile } from './provisioning/credentials-file.js';

/**
 * The demo is a terminal whose backend is on this machine (the reference backend of `npm start`
 * and the tests). Any other backend is a real one: it must be reached over https, and the demo's
 * terminal secret and TEST key material are refused (here, and in main/compose/).
 */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Whether this configuration is the demo (its backend is loopback); see isLoopbackUrl. */
export function isDemoBackend(config: { readonly backend: { readonly url: string } }): boolean {
  return isLoopbackUrl(config.backend.url);
}

/** A zone `Intl` knows (IANA name such as Asia/Shanghai); anything else throws RangeError there. */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

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

/** A USB vendor or product id: a number, or hex in a string as lsusb and Device Manager show it ("0x0416"). */
const UsbId = z.union([z.number().int().min(0).max(0xffff), z.string().regex(/^0x[0-9a-fA-F]{1,4}$/).transform((s) => Number.parseInt(s.slice(2), 16))], {
  error: 'must be a USB id: a number 0–65535, or hex in a string such as "0x0416" (lsusb, Device Manager: VID_0416)',
});

/**
 * A USB printer, one of two ways: `path`, the Linux usblp device (`/dev/usb/lp0`), or `vendorId` +
 * `productId` (+ `serialNumber` among identical printers, `interface` to force one) through libusb,
 * on Windows (WinUSB driver) and Linux alike (docs/deploy/drivers.md).
 */
const UsbPrinter = z
  .object({
    transport: z.literal('usb'),
    path: z.string().min(1).optional(),
    vendorId: UsbId.optional(),
    productId: UsbId.optional(),
    serialNumber: z.string().min(1).max(126).optional(),
    interface: z.number().int().min(0).max(255).optional(),
    ...PrinterJob,
  })
  .superRefine((p, ctx) => {
    const ids = p.vendorId !== undefined || p.productId !== undefined;
    const either = 'either path (the Linux usblp device, e.g. /dev/usb/lp0) or vendorId and productId (libusb, Windows or Linux)';
    if (p.path !== undefined && ids) ctx.addIssue({ code: 'custom', path: ['path'], message: `give ${either}, not both` });
    else if (p.path === undefined && !ids) ctx.addIssue({ code: 'custom', path: ['path'], message: `the usb transport needs ${either}` });
    else if (ids && p.vendorId === undefined) ctx.addIssue({ code: 'custom', path: ['vendorId'], message: 'required with productId' });
    else if (ids && p.productId === undefined) ctx.addIssue({ code: 'custom', path: ['productId'], message: 'required with vendorId' });
    for (const key of ['serialNumber', 'interface'] as const) {
      if (p.path !== undefined && p[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'applies to a printer chosen by vendorId and productId, not to path' });
    }
  });

/**
 * A serial printer (`COM3`, `/dev/ttyUSB0`): the terminal sets the line itself, as on the printer's
 * self-test page; the baud rate has no default, since a wrong one prints garbage.
 */
const SERIAL_BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400] as const;
const SerialPrinter = z.object({
  transport: z.literal('serial'),
  path: z.string().min(1),
  baudRate: z
    .number({ error: (iss) => (iss.input === undefined ? "required for the serial transport: the printer's baud rate (see its self-test page), e.g. 9600 or 115200" : 'must be a number') })
    .refine((r) => (SERIAL_BAUD_RATES as readonly number[]).includes(r), { error: `must be one of ${SERIAL_BAUD_RATES.join(', ')}` }),
  dataBits: z.union([z.literal(7), z.literal(8)], { error: 'must be 7 or 8' }).default(8),
  parity: z.enum(['none', 'even', 'odd']).default('none'),
  stopBits: z.union([z.literal(1), z.literal(2)], { error: 'must be 1 or 2' }).default(1),
  flowControl: z.enum(['none', 'rtscts', 'xonxoff']).default('none'),
  ...PrinterJob,
});

/**
 * Every key any printer transport knows. Printer objects are not strict because the site file's
 * printer is merged over the defaults' (a site's `usb` printer still carries the default `host`),
 * but a key no transport knows is a typo (`baudrate`) and must not be silently ignored.
 */
const PRINTER_KEYS = new Set(['transport', 'host', 'port', 'path', 'vendorId', 'productId', 'serialNumber', 'interface', 'baudRate', 'dataBits', 'parity', 'stopBits', 'flowControl', 'completion', 'jobTimeoutMs']);

const PrinterConfig = z.preprocess(
  (value, ctx) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const key of Object.keys(value)) {
        if (!PRINTER_KEYS.has(key)) ctx.addIssue({ code: 'custom', path: [key], message: `unknown key (printer keys: ${[...PRINTER_KEYS].join(', ')})`, input: value });
      }
    }
    return value;
  },
  z.discriminatedUnion('transport', [
    HostPort.extend({ transport: z.literal('network'), ...PrinterJob }),
    UsbPrinter,
    SerialPrinter,
    z.object({ transport: z.literal('none') }),
  ]),
);

/** Sign-in sessions: one idle longer than this ends; the next call answers 'session.expired'. */
const SessionConfig = z
  .object({ idleTimeoutMs: z.number().int().min(1000).max(24 * 3_600_000).default(15 * 60_000) })
  .strict();

/**
 * The self-service kiosk (mode "kiosk"; docs/kiosk.md). The UI warns after `warnAfterMs` without a
 * touch and waits `responseMs` (at least 20 s) for the one touch that extends; the core ends a visit
 * idle for `visitTimeoutMs` (at least the two together) with nothing half-done.
 */
const KIOSK_DEFAULTS = {
  warnAfterMs: 60_000,
  responseMs: 30_000,
  visitTimeoutMs: 100_000,
  orderTtlSeconds: 180,
  orderPollMs: 2000,
  healthCheckMs: 15_000,
  heartbeatIntervalMs: 60_000,
  presentWindowMs: 15 * 60_000,
} as const;
const KioskConfig = z
  .object({
    warnAfterMs: z.number().int().min(1000).max(600_000).default(KIOSK_DEFAULTS.warnAfterMs),
    responseMs: z.number().int().min(20_000).max(300_000).default(KIOSK_DEFAULTS.responseMs),
    visitTimeoutMs: z.number().int().min(21_000).max(3_600_000).default(KIOSK_DEFAULTS.visitTimeoutMs),
    /** How long a QR code may be paid before the gateway closes it. */
    orderTtlSeconds: z.number().int().min(60).max(900).default(KIOSK_DEFAULTS.orderTtlSeconds),
    /** How often the core asks the gateway about an order awaiting payment (besides the UI's polls). */
    orderPollMs: z.number().int().min(200).max(30_000).default(KIOSK_DEFAULTS.orderPollMs),
    /** How often the gateway's reachability is checked (the QR capability). */
    healthCheckMs: z.number().int().min(500).max(600_000).default(KIOSK_DEFAULTS.healthCheckMs),
    heartbeatIntervalMs: z.number().int().min(1000).max(3_600_000).default(KIOSK_DEFAULTS.heartbeatIntervalMs),
    /** A delivery finished by resume (nobody at the screen) is offered to be shown for this long. */
    presentWindowMs: z.number().int().min(0).max(24 * 3_600_000).default(KIOSK_DEFAULTS.presentWindowMs),
  })
  .strict()
  .refine((k) => k.visitTimeoutMs >= k.warnAfterMs + k.responseMs, {
    path: ['visitTimeoutMs'],
    error: 'must be at least warnAfterMs + responseMs (the UI warns, then waits for the touch that extends)',
  });

/** The staff list from the backend: refreshed on an interval; retried with backoff while it fails. */
const StaffConfig = z
  .object({
    refreshIntervalMs: z.number().int().min(1000).max(24 * 3_600_000).default(5 * 60_000),
    retryInitialMs: z.number().int().min(50).max(600_000).default(2000),
    retryMaxMs: z.number().int().min(50).max(3_600_000).default(2 * 60_000),
  })
  .strict();

/**
 * The cash drawer (docs/shift.md): in counter mode, with `required`, no payment or vend is taken
 * without an open shift. Kiosks have no clerk's drawer and are not gated.
 */
const ShiftConfig = z.object({ required: z.boolean().default(true) }).strict();

/** Software updates (docs/deploy/updates.md): how often the Electron shell asks the update server. */
const UpdatesConfig = z.object({ checkIntervalMs: z.number().int().min(60_000).max(7 * 86_400_000).default(6 * 3_600_000) }).strict();

/** Service quality (docs/service.md): the hall this terminal serves, for ratings, complaints and applications. */
const ServiceConfig = z
  .object({
    /** The service hall's id (营业厅); absent: the terminal id stands for it. */
    hallId: z.string().regex(/^[A-Za-z0-9-]{1,32}$/).optional(),
    /** How often overdue and nearly due complaints are escalated. */
    escalationSweepMs: z.number().int().min(200).max(3_600_000).default(60_000),
  })
  .strict();

/**
 * Payments by payment code through the gateway (docs/payments.md): a pay or query waits at most
 * `gatewayTimeoutMs`; an order whose outcome is unknown is queried every `codeQueryIntervalMs` until
 * `codeConfirmWithinMs` after the charge began, then reversed. Keep pay + confirm + a reverse under
 * the UI's 30 s call limit. `invoices`: ask the backend for an e-invoice after every payment.
 */
const PaymentsConfig = z
  .object({
    gatewayTimeoutMs: z.number().int().min(100).max(30_000).default(8_000),
    codeQueryIntervalMs: z.number().int().min(20).max(10_000).default(2_000),
    codeConfirmWithinMs: z.number().int().min(100).max(60_000).default(15_000),
    invoices: z.boolean().default(true),
  })
  .strict();

export const TerminalConfigSchema = z
  .object({
    terminalId: z.string().regex(/^[A-Za-z0-9-]{1,32}$/),
    mode: z.enum(['counter', 'kiosk']),
    defaultLocale: z.enum(['zh-CN', 'en']),
    /** IANA zone used to display times and to decide "today" for due dates. */
    timeZone: z.string().min(1).refine(isTimeZone, { error: (iss) => `must be an IANA time zone such as Asia/Shanghai (got ${JSON.stringify(iss.input)})` }),
    dataDir: z.string().min(1),
    backend: z
      .object({
        url: z
          .string()
          .refine((u) => URL.canParse(u) && ['http:', 'https:'].includes(new URL(u).protocol), { error: 'must be an http or https URL', abort: true })
          .refine((u) => isLoopbackUrl(u) || new URL(u).protocol === 'https:', {
            error: 'must be https unless the host is loopback (127.0.0.1, ::1, localhost)',
          }),
        terminalSecret: z.string().min(16),
        /** How long an online lookup may take before the cache answers instead. */
        lookupTimeoutMs: z.number().int().min(100).max(30_000),
        /** How long one push (or one page of a pull) may take before the backend counts as unavailable. */
        pushTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
        pushIntervalMs: z.number().int().min(200).max(600_000),
        pushBatchSize: z.number().int().min(1).max(500),
        /**
         * PEM file of the CA that issued the backend's certificate. When set, only this CA is
         * trusted for the backend; otherwise the default CAs. Needs an https url.
         */
        caFile: z.string().min(1).optional(),
        /**
         * How far the terminal's clock may be from the backend's (read from every signed reply)
         * before late fees, STS token ids and offline ordering are blocked (`clock.drift_too_large`).
         */
        maxClockDriftMs: z.number().int().min(1000).max(24 * 3_600_000).default(120_000),
      })
      .strict()
      .refine((b) => isLoopbackUrl(b.url) || b.terminalSecret !== DEMO_TERMINAL.secret, {
        path: ['terminalSecret'],
        error: 'the demo terminal secret is refused outside the demo (backend.url is not loopback): set this terminal\'s own secret',
      })
      .refine((b) => b.caFile === undefined || !URL.canParse(b.url) || new URL(b.url).protocol === 'https:', {
        path: ['caFile'],
        error: 'a CA file needs an https backend.url',
      }),
    printer: PrinterConfig,
    receipt: z.object({ header: z.string().max(48), hotline: z.string().max(24) }),
    devices: DevicesConfig.optional(),
    session: SessionConfig.default({ idleTimeoutMs: 15 * 60_000 }),
    staff: StaffConfig.default({ refreshIntervalMs: 5 * 60_000, retryInitialMs: 2000, retryMaxMs: 2 * 60_000 }),
    kiosk: KioskConfig.default(KIOSK_DEFAULTS),
    payments: PaymentsConfig.default({ gatewayTimeoutMs: 8_000, codeQueryIntervalMs: 2_000, codeConfirmWithinMs: 15_000, invoices: true }),
    shift: ShiftConfig.default({ required: true }),
    updates: UpdatesConfig.default({ checkIntervalMs: 6 * 3_600_000 }),
    service: ServiceConfig.optional(),
    /**
     * The enrolled terminal's credentials file (main/provisioning/credentials-file.ts), relative to
     * the config file naming it: its terminalId and secret replace those of the config files.
     */
    credentialsFile: z.string().min(1).optional(),
  })
  .strict()
  // Simulated devices carry the demo card master key and a demo card of a demo account.
  .refine((c) => c.devices?.simulated !== true || isLoopbackUrl(c.backend.url), {
    path: ['devices', 'simulated'],
    error: 'simulated devices (demo card master key, demo card) are refused outside the demo (backend.url is not loopback)',
  });

export type TerminalConfig = z.infer<typeof TerminalConfigSchema>;

/**
 * Reads the files in override order, deep-merges and validates them. Every error names the file
 * and the field: a value that fails is blamed on the last file that sets it (a missing one on all).
 */
export function loadConfig(paths: readonly string[]): TerminalConfig {
  const files: { path: string; tree: Record<string, unknown> }[] = [];
  for (const p of paths) files.push({ path: p, tree: readConfigFile(p) });
  let merged = files.reduce<Record<string, unknown>>((acc, f) => deepMerge(acc, f.tree), {});
  if (typeof merged.credentialsFile === 'string') {
    const namedIn = [...files].reverse().find((f) => sets(f.tree, ['credentialsFile']));
    const credentialsFile = namedIn ? path.resolve(path.dirname(namedIn.path), merged.credentialsFile) : path.resolve(merged.credentialsFile);
    // Refuses a file others can read (or another user's): the terminal does not start.
    const creds = readCredentialsFile(credentialsFile);
    merged = deepMerge(merged, { credentialsFile, terminalId: creds.terminalId, backend: { terminalSecret: creds.terminalSecret } });
  }
  const parsed = TerminalConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const field = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
      const name = field.map(String).join('.') || '(root)';
      const from = [...files].reverse().find((f) => sets(f.tree, field));
      return `${from ? from.path : `${paths.join(', ')} (not set)`}: ${name}: ${issue.message}`;
    });
    throw new Error(`invalid terminal config — ${lines.join('; ')}`);
  }
  // A relative CA file is relative to the config file that names it, not to the working directory.
  const caFile = parsed.data.backend.caFile;
  const namedIn = caFile === undefined || path.isAbsolute(caFile) ? undefined : [...files].reverse().find((f) => sets(f.tree, ['backend', 'caFile']));
  if (caFile !== undefined && namedIn) return { ...parsed.data, backend: { ...parsed.data.backend, caFile: path.resolve(path.dirname(namedIn.path), caFile) } };
  return parsed.data;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`terminal config ${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let tree: unknown;
  try {
    tree = JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`terminal config ${file}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) throw new Error(`terminal config ${file}: must be a JSON object`);
  return tree as Record<string, unknown>;
}

/** Whether a file's tree sets the field (or, for a field inside a non-object, its parent). */
function sets(tree: Record<string, unknown>, field: readonly PropertyKey[]): boolean {
  let node: unknown = tree;
  for (const key of field) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return true;
    if (!Object.prototype.hasOwnProperty.call(node, key)) return false;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return true;
}
