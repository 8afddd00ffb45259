/**
 * Provisioning (docs/deploy/README.md, "Enrol a terminal"): the backend issues a one-time enrolment
 * code for a site and a mode; a new terminal sends it to `POST /enrol` once and receives its terminal
 * id, HMAC secret and the site's settings. Common tier (zod only): shared by the terminal's enrol
 * client and the reference backend.
 *
 * A code is 11 random symbols of Crockford's base-32 alphabet (no I, L, O, U: nothing to misread)
 * and one check symbol (Luhn mod 32: every single mistyped symbol and every swap of two neighbours
 * is caught before the backend is asked), shown as XXXX-XXXX-XXXX.
 */
import { z } from 'zod';

export const ENROL_PATH = '/enrol';
export const ENROLMENT_CODES_PATH = '/admin/enrolment-codes';
export const ENROLMENT_JOURNAL_PATH = '/admin/enrolment-journal';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const PAYLOAD_LENGTH = 11;

function checkSymbol(payload: string): string {
  let factor = 2;
  let sum = 0;
  for (let i = payload.length - 1; i >= 0; i--) {
    const addend = factor * ALPHABET.indexOf(payload[i] as string);
    factor = factor === 2 ? 1 : 2;
    sum += Math.floor(addend / 32) + (addend % 32);
  }
  return ALPHABET[(32 - (sum % 32)) % 32] as string;
}

/** A new code from 11 random symbols (indexes 0–31, e.g. from crypto.randomInt), check symbol appended. */
export function formatEnrolmentCode(randomIndexes: readonly number[]): string {
  if (randomIndexes.length !== PAYLOAD_LENGTH || randomIndexes.some((i) => !Number.isInteger(i) || i < 0 || i > 31)) {
    throw new RangeError(`an enrolment code needs ${PAYLOAD_LENGTH} symbols 0–31`);
  }
  const payload = randomIndexes.map((i) => ALPHABET[i]).join('');
  const code = payload + checkSymbol(payload);
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
}

export const ENROLMENT_CODE_RANDOM_SYMBOLS = PAYLOAD_LENGTH;

/**
 * The code as typed → its canonical 12 symbols, or null when it cannot be one (wrong length, a
 * symbol outside the alphabet, a failed check symbol). Case, spaces and hyphens do not matter;
 * O is read as 0 and I, L as 1, as Crockford's alphabet intends.
 */
export function normalizeEnrolmentCode(typed: string): string | null {
  const s = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (s.length !== PAYLOAD_LENGTH + 1 || [...s].some((c) => !ALPHABET.includes(c))) return null;
  return checkSymbol(s.slice(0, PAYLOAD_LENGTH)) === s.slice(PAYLOAD_LENGTH) ? s : null;
}

export const SITE_ID = z.string().regex(/^[A-Z0-9]{1,16}$/);

/** What a site gives every terminal enrolled into it (merged into the terminal's site file). */
export const SiteSettingsSchema = z
  .object({
    receipt: z.object({ header: z.string().max(48), hotline: z.string().max(24) }).strict(),
    timeZone: z.string().min(1),
    defaultLocale: z.enum(['zh-CN', 'en']),
    /** The service hall (营业厅) its terminals serve; default the site id. */
    hallId: z.string().regex(/^[A-Za-z0-9-]{1,32}$/).optional(),
  })
  .strict();
export type SiteSettings = z.infer<typeof SiteSettingsSchema>;

/** `POST /admin/enrolment-codes` (admin token): a code for one terminal of `siteId` in `mode`. */
export const IssueCodeRequestSchema = z
  .object({
    siteId: SITE_ID,
    mode: z.enum(['counter', 'kiosk']),
    /** How long the code may be used; default 24 h. */
    ttlMinutes: z.int().min(1).max(14 * 24 * 60).default(24 * 60),
    /** Who asked for it (the technician), for the journal. */
    issuedBy: z.string().min(1).max(64).default('admin'),
  })
  .strict();
export type IssueCodeRequest = z.input<typeof IssueCodeRequestSchema>;

export const IssuedCodeSchema = z.object({ code: z.string(), siteId: SITE_ID, mode: z.enum(['counter', 'kiosk']), expiresAt: z.iso.datetime({ offset: true }) });
export type IssuedCode = z.infer<typeof IssuedCodeSchema>;

/** `POST /enrol` (unsigned: the code is the credential). */
export const EnrolRequestSchema = z
  .object({
    code: z.string().min(1).max(64),
    /** The machine's name, for the journal. */
    hostname: z.string().max(128).optional(),
    version: z.string().max(32).optional(),
  })
  .strict();
export type EnrolRequest = z.infer<typeof EnrolRequestSchema>;

export const EnrolReplySchema = z.object({
  terminalId: z.string().regex(/^[A-Za-z0-9-]{1,32}$/),
  secret: z.string().min(32),
  mode: z.enum(['counter', 'kiosk']),
  siteId: SITE_ID,
  site: SiteSettingsSchema,
  enrolledAt: z.iso.datetime({ offset: true }),
});
export type EnrolReply = z.infer<typeof EnrolReplySchema>;

/** Why a code was refused; each has a message in resources/locales/<lng>/enrolment.json. */
export const ENROLMENT_REFUSALS = ['code_malformed', 'code_unknown', 'code_expired', 'code_used'] as const;
export type EnrolmentRefusal = (typeof ENROLMENT_REFUSALS)[number];
export const ENROLMENT_REFUSAL_STATUS: Readonly<Record<EnrolmentRefusal, number>> = { code_malformed: 400, code_unknown: 404, code_expired: 410, code_used: 409 };

export const EnrolmentJournalEntrySchema = z.object({
  seq: z.int(),
  at: z.string(),
  kind: z.enum(['code.issued', 'terminal.enrolled', 'enrolment.refused']),
  siteId: z.string().nullable(),
  mode: z.string().nullable(),
  /** The code's last four symbols (codes themselves are kept only as hashes). */
  codeHint: z.string().nullable(),
  terminalId: z.string().nullable(),
  reason: z.string().nullable(),
  actor: z.string().nullable(),
});
export type EnrolmentJournalEntry = z.infer<typeof EnrolmentJournalEntrySchema>;
