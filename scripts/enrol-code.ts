/**
 * `npm run enrol-code -- --site HALL01 --mode counter|kiosk [--ttl-minutes 1440] [--by NAME]`
 *   either  --backend URL [--admin-token T | $GRIDDESK_BACKEND_ADMIN_TOKEN]  (a running backend)
 *   or      --db .data/backend.db                                          (the backend's SQLite file)
 * Prints a one-time enrolment code for one terminal (docs/deploy/README.md, "Enrol a terminal").
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ENROLMENT_CODES_PATH, IssueCodeRequestSchema, IssuedCodeSchema, type IssuedCode } from '../main/wire/enrolment-wire.js';
import { openBackendDb } from '../test/billing-backend/db.js';
import { EnrolmentDesk } from '../test/billing-backend/enrolment.js';

const { values } = parseArgs({
  options: {
    site: { type: 'string' },
    mode: { type: 'string' },
    'ttl-minutes': { type: 'string', default: '1440' },
    by: { type: 'string', default: process.env.USER ?? 'admin' },
    backend: { type: 'string' },
    'admin-token': { type: 'string' },
    db: { type: 'string' },
  },
  strict: true,
});

const request = IssueCodeRequestSchema.safeParse({ siteId: values.site, mode: values.mode, ttlMinutes: Number(values['ttl-minutes']), issuedBy: values.by });
if (!request.success || (values.backend === undefined) === (values.db === undefined)) {
  console.error('usage: npm run enrol-code -- --site SITE --mode counter|kiosk [--ttl-minutes N] (--backend URL [--admin-token T] | --db FILE)');
  if (!request.success) console.error(z.prettifyError(request.error));
  process.exit(2);
}

let issued: IssuedCode | null;
if (values.db !== undefined) {
  const db = openBackendDb(values.db);
  try {
    issued = new EnrolmentDesk(db, () => new Date().toISOString()).issue(request.data);
  } finally {
    db.close();
  }
} else {
  const token = values['admin-token'] ?? process.env.GRIDDESK_BACKEND_ADMIN_TOKEN;
  const res = await fetch(new URL(ENROLMENT_CODES_PATH, values.backend), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(request.data),
  });
  const body = (await res.json().catch(() => null)) as unknown;
  if (res.status === 404) issued = null;
  else if (!res.ok) {
    console.error(`enrol-code: the backend answered ${res.status} ${JSON.stringify(body)}`);
    process.exit(1);
  } else issued = IssuedCodeSchema.parse(body);
}
if (issued === null) {
  console.error(`enrol-code: the backend knows no site ${request.data.siteId} (PUT /admin/sites/${request.data.siteId} defines it)`);
  process.exit(1);
}
console.log(`${issued.code}   (${issued.mode}, site ${issued.siteId}, one terminal, valid until ${issued.expiresAt})`);
