/**
 * `npm run enrol -- CODE --backend URL [--dir DIR] [--data-dir DIR] [--ca-file PEM] [--lang zh-CN|en] [--replace]`
 * Enrols this machine with a one-time code from the backend (docs/deploy/README.md): writes
 * DIR/credentials.json (0600: terminal id and secret) and DIR/site.json (the site's settings,
 * naming the credentials file). Messages in --lang, else $LANG (zh* or en*), else zh-CN.
 */
import { hostname } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadLocale, translator, type Locale } from '../main/i18n/locales.js';
import { enrolmentFailureMessage, provisionTerminal } from '../main/provisioning/provision.js';
import { GRIDDESK_VERSION } from '../main/core.js';

const { values, positionals } = parseArgs({
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

const lang: Locale = values.lang === 'en' || values.lang === 'zh-CN' ? values.lang : /^en/i.test(process.env.LANG ?? '') ? 'en' : 'zh-CN';
const t = translator(loadLocale(lang));
const code = positionals[0];
const backendUrl = values.backend;
if (code === undefined || backendUrl === undefined) {
  console.error('usage: npm run enrol -- CODE --backend URL [--dir DIR] [--data-dir DIR] [--ca-file PEM] [--lang zh-CN|en] [--replace]');
  process.exit(2);
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
    version: GRIDDESK_VERSION,
  });
  console.log(t('enrolment.done', { terminalId: done.reply.terminalId, mode: done.reply.mode, siteId: done.reply.siteId, credentials: done.credentialsPath, site: done.sitePath }));
} catch (err) {
  console.error(enrolmentFailureMessage(t, err, { backendUrl }));
  process.exit(1);
}
