/**
 * Enrols this machine with a one-time code (docs/deploy/README.md, "Enrol a terminal"):
 *   enrol CODE --backend URL [--dir DIR] [--data-dir DIR] [--ca-file PEM] [--lang zh-CN|en] [--replace]
 * writes DIR/credentials.json (0600: terminal id and secret) and DIR/site.json (the site's
 * settings, naming the credentials file). Messages in --lang, else $LANG (zh* or en*), else zh-CN.
 *
 * Run from a checkout with `npm run enrol -- …`, and on an installed terminal with the app's own
 * runtime, which needs neither Node nor npm there:
 *   ELECTRON_RUN_AS_NODE=1 <app> <resources>/app.asar/dist/main/provisioning/enrol-cli.js CODE --backend URL --dir …
 */
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadLocale, translator, type Locale } from '../i18n/locales.js';
import { enrolmentFailureMessage, provisionTerminal } from './provision.js';

const USAGE = 'usage: enrol CODE --backend URL [--dir DIR] [--data-dir DIR] [--ca-file PEM] [--lang zh-CN|en] [--replace]';

/** Exit status: 0 enrolled, 1 refused or failed (the reason printed, translated), 2 usage. */
export async function runEnrolCli(argv: readonly string[], out: { log: (s: string) => void; error: (s: string) => void } = console): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        backend: { type: 'string' },
        dir: { type: 'string', default: process.env.GRIDDESK_CONFIG_DIR ?? '.' },
        'data-dir': { type: 'string' },
        'ca-file': { type: 'string' },
        lang: { type: 'string' },
        replace: { type: 'boolean', default: false },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    out.error(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const lang: Locale = values.lang === 'en' || values.lang === 'zh-CN' ? values.lang : /^en/i.test(process.env.LANG ?? '') ? 'en' : 'zh-CN';
  const t = translator(loadLocale(lang));
  const code = positionals[0];
  const backendUrl = values.backend;
  if (code === undefined || backendUrl === undefined || positionals.length > 1) {
    out.error(USAGE);
    return 2;
  }
  try {
    const done = await provisionTerminal({
      backendUrl,
      code,
      dir: values.dir,
      ...(values['data-dir'] ? { dataDir: path.resolve(values['data-dir']) } : {}),
      ...(values['ca-file'] ? { caFile: path.resolve(values['ca-file']) } : {}),
      replace: values.replace,
      hostname: hostname(),
    });
    out.log(t('enrolment.done', { terminalId: done.reply.terminalId, mode: done.reply.mode, siteId: done.reply.siteId, credentials: done.credentialsPath, site: done.sitePath }));
    return 0;
  } catch (err) {
    out.error(enrolmentFailureMessage(t, err, { backendUrl }));
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await runEnrolCli(process.argv.slice(2));
}
