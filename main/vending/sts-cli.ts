/**
 * Developer and help-desk CLI for the STS engine: `npm run -s sts -- <command> ...`.
 * Prints results on stdout; any bad argument exits non-zero with a message on stderr
 * (texts from resources/locales/en/vending.json). Never prints keys it was not asked for.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { blockFromHex, blockToHex } from './sts/block64.js';
import { decodeToken } from './sts/decode.js';
import { deriveDecoderKeyDkga02 } from './sts/dkga02.js';
import { ea07Encrypt } from './sts/ea07.js';
import { SAMPLE_TEST_TABLES, type Ea07Tables } from './sts/ea07-tables.js';
import { encodeAmount } from './sts/amount.js';
import { isStsError } from './sts/sts-error.js';
import { loadEa07TablesFileSync } from '../loaders/sts-tables.js';
import { isBaseDate } from './sts/tid.js';
import { buildRegisterBlock, MANAGEMENT_SUBCLASS, TOKEN_CLASS } from './sts/token-data.js';
import { tokenDigits } from './sts/token-digits.js';
import path from 'node:path';
import { resolveLocalesDir } from '../i18n/locales.js';

type Messages = { errors: { vending: Record<string, string> }; stsCli: Record<string, string> };
const messages = JSON.parse(
  readFileSync(path.join(resolveLocalesDir(), 'en', 'vending.json'), 'utf8'),
) as Messages;

function t(template: string | undefined, vars: Readonly<Record<string, unknown>> = {}): string {
  return (template ?? '').replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(vars[name] ?? ''));
}

/** A usage error: exit code 2 with the usage text; an unusable input file: exit code 1, no usage. */
class CliError extends Error {
  constructor(
    key: string,
    vars: Readonly<Record<string, unknown>> = {},
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(t(messages.stsCli[key], vars));
  }
}

type Values = Record<string, string | undefined>;

function required(values: Values, name: string): string {
  const v = values[name];
  if (v === undefined || v === '') throw new CliError('missingOption', { option: name });
  return v;
}

function integer(values: Values, name: string): number {
  const raw = required(values, name);
  if (/^-\d/.test(raw)) throw new CliError('negative', { option: name, value: raw });
  if (!/^\d+$/.test(raw)) throw new CliError('badInteger', { option: name, value: raw });
  return Number.parseInt(raw, 10);
}

/** kWh as a decimal string → tenths, rounding any finer fraction up (as the mantissa does). */
function kwhToTenths(raw: string): number {
  if (/^-\d/.test(raw)) throw new CliError('negative', { option: 'amount', value: raw });
  const m = /^(\d+)(?:\.(\d+))?$/.exec(raw);
  if (!m) throw new CliError('badAmount', { value: raw });
  const whole = m[1] as string;
  const frac = m[2] ?? '';
  const tenths = Number.parseInt(whole, 10) * 10 + (frac.length > 0 ? Number.parseInt(frac[0] as string, 10) : 0);
  return /[1-9]/.test(frac.slice(1)) ? tenths + 1 : tenths;
}

function tablesFrom(values: Values): Ea07Tables {
  const file = values['tables'];
  if (file === undefined) return SAMPLE_TEST_TABLES;
  try {
    return loadEa07TablesFileSync(file);
  } catch (e) {
    if (isStsError(e) && e.code === 'vending.key_file_unreadable') throw new CliError('tablesUnreadable', { path: file }, 1);
    throw e;
  }
}

const STRING = { type: 'string' } as const;

/** `--amount -5` reads as an option value (parseArgs would call it ambiguous), so the clear "negative" message can be given. */
function joinNegativeValues(args: readonly string[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const next = args[i + 1];
    if (a.startsWith('--') && names.includes(a.slice(2)) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

function parse(rawArgs: string[], names: readonly string[]): { values: Values; positionals: string[] } {
  const options = Object.fromEntries(names.map((n) => [n, STRING]));
  const args = joinNegativeValues(rawArgs, names);
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as Values, positionals };
  } catch (e) {
    throw new CliError('badArguments', { detail: e instanceof Error ? e.message : String(e) });
  }
}

function encode(args: string[]): string {
  const { values, positionals } = parse(args, ['dk', 'class', 'subclass', 'rnd', 'tid', 'amount', 'amount-field', 'tables']);
  if (positionals.length > 0) throw new CliError('badArguments', { detail: positionals.join(' ') });
  const dk = blockFromHex(required(values, 'dk'));
  const tokenClass = integer(values, 'class');
  const subclass = integer(values, 'subclass');
  const rnd = integer(values, 'rnd');
  const tid = integer(values, 'tid');
  const hasAmount = values['amount'] !== undefined;
  if (hasAmount === (values['amount-field'] !== undefined)) throw new CliError('amountChoice');
  const isRegisterLayout =
    tokenClass === TOKEN_CLASS.credit ||
    (tokenClass === TOKEN_CLASS.management &&
      subclass !== MANAGEMENT_SUBCLASS.keyChange1stSection &&
      subclass !== MANAGEMENT_SUBCLASS.keyChange2ndSection);
  if (!isRegisterLayout) throw new CliError('unsupportedLayout');
  if (hasAmount && tokenClass !== TOKEN_CLASS.credit) throw new CliError('amountNeedsCredit');
  const field = hasAmount ? encodeAmount(kwhToTenths(values['amount'] as string)) : integer(values, 'amount-field');
  const tables = tablesFrom(values);
  const block = buildRegisterBlock(tokenClass, { subclass, rnd, tid, field });
  return tokenDigits(tokenClass, ea07Encrypt(dk, block, tables));
}

function decode(args: string[]): string {
  const { values, positionals } = parse(args, ['dk', 'tables']);
  if (positionals.length !== 1) throw new CliError('tokenArgument');
  const dk = blockFromHex(required(values, 'dk'));
  const d = decodeToken(dk, positionals[0] as string, tablesFrom(values));
  const p = d.payload;
  return JSON.stringify({
    class: d.tokenClass,
    subclass: d.subclass,
    rnd: d.rnd ?? null,
    tid: d.tid ?? null,
    amount: d.amount ? d.amount.tenths / 10 : null,
    crcOk: d.crcOk,
    kind: p.kind,
    ...(p.kind === 'management' ? { field: p.field } : {}),
  });
}

function dkga02(args: string[]): string {
  const { values, positionals } = parse(args, ['vk', 'iin', 'drn', 'kt', 'sgc', 'ti', 'krn', 'base-date']);
  if (positionals.length > 0) throw new CliError('badArguments', { detail: positionals.join(' ') });
  const vk = blockFromHex(required(values, 'vk'));
  const baseDate = values['base-date'] ?? '1993-01-01';
  if (!isBaseDate(baseDate)) throw new CliError('badArguments', { detail: `--base-date ${baseDate}` });
  const dk = deriveDecoderKeyDkga02(vk, {
    iin: required(values, 'iin'),
    drn: required(values, 'drn'),
    keyType: integer(values, 'kt'),
    sgc: required(values, 'sgc'),
    ti: required(values, 'ti'),
    krn: integer(values, 'krn'),
    baseDate,
    algorithm: 'EA07',
  });
  return blockToHex(dk);
}

const COMMANDS: Readonly<Record<string, (args: string[]) => string>> = { encode, decode, dkga02 };

function main(argv: string[]): number {
  const usage = messages.stsCli['usage'] ?? '';
  // Asked for help: usage on stdout, success. Nothing at all: usage on stderr, a usage error.
  if (argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (argv.length === 0) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const [command, ...rest] = argv;
  const run = command === undefined ? undefined : COMMANDS[command];
  try {
    if (!run) throw new CliError('unknownCommand', { command });
    process.stdout.write(run(rest) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(e.exitCode === 2 ? `${e.message}\n${usage}\n` : `${e.message}\n`);
      return e.exitCode;
    }
    if (isStsError(e)) {
      const text = t(messages.errors.vending[e.code.replace(/^vending\./, '')], e.details);
      process.stderr.write(`${e.code}: ${text}\n`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2));
