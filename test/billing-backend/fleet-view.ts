/**
 * Fleet health (docs/backend.md, "Fleet health"): every terminal's latest heartbeat judged against
 * the backend's clock — which are offline, which need paper, which are behind on sync, whose clock
 * is off — as JSON for `GET /admin/fleet` and the page `GET /fleet` that shows it. The page holds
 * no data: its script asks for the admin token and reads the JSON with it, so the page itself can
 * be linked and cached freely.
 */
import { loadLocale, type Locale } from '../../main/i18n/locales.js';
import type { StoredHeartbeat } from './store/backend-store.js';

export const FLEET_PAGE_PATH = '/fleet';
export const FLEET_DATA_PATH = '/admin/fleet';

export interface FleetRules {
  /** No heartbeat for longer than this: offline. */
  readonly offlineAfterMs: number;
  /** This many events waiting in the outbox: behind on sync. */
  readonly behindBacklog: number;
  /** The oldest waiting event, or the last good push with events waiting, older than this: behind. */
  readonly behindAgeMs: number;
  /** A clock further off than this (the terminals' own default limit): drift. */
  readonly maxDriftMs: number;
}

export const DEFAULT_FLEET_RULES: FleetRules = { offlineAfterMs: 5 * 60_000, behindBacklog: 100, behindAgeMs: 15 * 60_000, maxDriftMs: 120_000 };

export interface FleetRow {
  readonly terminalId: string;
  readonly mode: 'counter' | 'kiosk';
  readonly version: string;
  readonly receivedAt: string;
  /** How long since the latest heartbeat arrived (backend clock). */
  readonly silentMs: number;
  readonly offline: boolean;
  readonly paper: 'ok' | 'near_end' | 'out' | 'unknown';
  readonly needsPaper: boolean;
  readonly outboxBacklog: number;
  readonly oldestPendingAt: string | null;
  readonly lastPushAt: string | null;
  readonly behind: boolean;
  readonly clockDriftMs: number | null;
  readonly drift: boolean;
  readonly inService: boolean;
  /** Devices disconnected or with a fault: "printer: printer.paper_out". */
  readonly faults: readonly string[];
}

export interface FleetReport {
  readonly at: string;
  readonly rules: FleetRules;
  readonly summary: { readonly terminals: number; readonly offline: number; readonly needsPaper: number; readonly behind: number; readonly drift: number };
  readonly rows: readonly FleetRow[];
}

export function fleetReport(beats: readonly StoredHeartbeat[], nowIso: string, rules: FleetRules = DEFAULT_FLEET_RULES): FleetReport {
  const now = Date.parse(nowIso);
  const olderThan = (iso: string | null | undefined, ms: number): boolean => iso != null && now - Date.parse(iso) > ms;
  const rows = beats.map((b): FleetRow => {
    const h = b.heartbeat;
    const silentMs = Math.max(0, now - Date.parse(b.receivedAt));
    const lastPushAt = h.lastPushAt ?? null;
    const behind =
      h.outboxBacklog >= rules.behindBacklog ||
      olderThan(h.oldestPendingAt, rules.behindAgeMs) ||
      (h.outboxBacklog > 0 && (lastPushAt === null || olderThan(lastPushAt, rules.behindAgeMs)));
    const clockDriftMs = h.clockDriftMs ?? null;
    return {
      terminalId: b.terminalId,
      mode: h.mode,
      version: h.version,
      receivedAt: b.receivedAt,
      silentMs,
      offline: silentMs > rules.offlineAfterMs,
      paper: h.paper,
      needsPaper: h.paper === 'near_end' || h.paper === 'out',
      outboxBacklog: h.outboxBacklog,
      oldestPendingAt: h.oldestPendingAt,
      lastPushAt,
      behind,
      clockDriftMs,
      drift: clockDriftMs !== null && Math.abs(clockDriftMs) > rules.maxDriftMs,
      inService: h.inService,
      faults: h.devices.filter((d) => !d.connected || d.fault !== null).map((d) => `${d.deviceId}: ${d.fault ?? 'disconnected'}`),
    };
  });
  const count = (f: (r: FleetRow) => boolean): number => rows.filter(f).length;
  return {
    at: nowIso,
    rules,
    summary: { terminals: rows.length, offline: count((r) => r.offline), needsPaper: count((r) => r.needsPaper), behind: count((r) => r.behind), drift: count((r) => r.drift) },
    rows,
  };
}

const pageStrings = new Map<Locale, Record<string, string>>();

function stringsFor(lng: Locale): Record<string, string> {
  let s = pageStrings.get(lng);
  if (!s) {
    s = (loadLocale(lng) as { fleet?: Record<string, string> }).fleet ?? {};
    pageStrings.set(lng, s);
  }
  return s;
}

/** The page in `lng` (zh-CN default). Its strings come from resources/locales/<lng>/fleet.json. */
export function fleetPage(lng: Locale): string {
  const s = stringsFor(lng);
  const esc = (t: string | undefined): string => (t ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
  const other: Locale = lng === 'en' ? 'zh-CN' : 'en';
  // </script> cannot occur in JSON.stringify output of these strings once '<' is escaped.
  const strings = JSON.stringify(s).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="${lng}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(s.title)}</title>
<style>
  body { font-family: system-ui, "Noto Sans SC", sans-serif; margin: 0; color: #1a1a1a; background: #fff; }
  header, main { padding: 0 1.5rem; }
  header { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 1px solid #ccc; }
  a { color: #0b4f8a; }
  form { margin: 1rem 0; display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
  input { font-size: 1rem; padding: .3rem; }
  button { font-size: 1rem; padding: .3rem .8rem; }
  .summary { display: flex; gap: 1rem; padding: 0; list-style: none; flex-wrap: wrap; }
  .summary li { border: 1px solid #888; border-radius: 4px; padding: .4rem .8rem; }
  .attention { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1rem; }
  .attention section { border: 1px solid #888; border-radius: 4px; padding: 0 .8rem; }
  table { border-collapse: collapse; width: 100%; margin: 1rem 0 2rem; }
  th, td { border: 1px solid #999; padding: .3rem .5rem; text-align: left; vertical-align: top; }
  th { background: #eee; }
  .bad { background: #fde2e1; color: #5c0000; font-weight: 600; }
  .warn { background: #fff1c2; color: #3d2c00; }
</style>
</head>
<body>
<header>
  <h1>${esc(s.title)}</h1>
  <a href="${FLEET_PAGE_PATH}?lang=${other}" lang="${other}" hreflang="${other}">${other === 'en' ? 'English' : '中文'}</a>
</header>
<main>
  <form id="auth">
    <label for="token">${esc(s.token)}</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required>
    <button type="submit">${esc(s.show)}</button>
  </form>
  <p id="status" role="status" aria-live="polite"></p>
  <div id="view" hidden>
    <h2 id="summary-h">${esc(s.summary)}</h2>
    <ul class="summary" id="summary" aria-labelledby="summary-h"></ul>
    <div class="attention">
      <section aria-labelledby="paper-h"><h2 id="paper-h">${esc(s.needsPaper)}</h2><ul id="paper"></ul></section>
      <section aria-labelledby="offline-h"><h2 id="offline-h">${esc(s.offline)}</h2><ul id="offline"></ul></section>
      <section aria-labelledby="behind-h"><h2 id="behind-h">${esc(s.behind)}</h2><ul id="behind"></ul></section>
    </div>
    <table>
      <caption>${esc(s.allTerminals)}</caption>
      <thead><tr>${['terminal', 'mode', 'state', 'lastHeartbeat', 'paper', 'backlog', 'lastPush', 'drift', 'version', 'faults'].map((k) => `<th scope="col">${esc(s[`col_${k}`])}</th>`).join('')}</tr></thead>
      <tbody id="rows"></tbody>
    </table>
  </div>
</main>
<script>
(() => {
  const S = ${strings};
  const t = (key, vars) => (S[key] || key).replace(/\\{\\{(\\w+)\\}\\}/g, (_, n) => String(vars && n in vars ? vars[n] : ''));
  const $ = (id) => document.getElementById(id);
  const ago = (ms) => ms < 60000 ? t('secondsAgo', { n: Math.round(ms / 1000) }) : ms < 3600000 ? t('minutesAgo', { n: Math.round(ms / 60000) }) : t('hoursAgo', { n: Math.round(ms / 3600000) });
  const since = (iso, at) => iso === null ? t('never') : ago(Math.max(0, Date.parse(at) - Date.parse(iso)));
  const li = (text) => { const e = document.createElement('li'); e.textContent = text; return e; };
  const fill = (id, items, empty) => { const ul = $(id); ul.replaceChildren(...(items.length ? items.map(li) : [li(empty)])); };
  let token = sessionStorage.getItem('griddesk-fleet-token') || '';
  let timer = null;
  async function load() {
    if (!token) return;
    let res;
    try {
      res = await fetch(${JSON.stringify(FLEET_DATA_PATH)}, { headers: { authorization: 'Bearer ' + token } });
    } catch {
      $('status').textContent = t('unreachable');
      return;
    }
    if (res.status === 401 || res.status === 403) {
      $('status').textContent = t('badToken');
      $('view').hidden = true;
      return;
    }
    if (!res.ok) { $('status').textContent = t('failed', { status: res.status }); return; }
    const r = await res.json();
    $('status').textContent = t('updated', { at: new Date(r.at).toLocaleString(document.documentElement.lang) });
    $('summary').replaceChildren(
      li(t('sumTerminals', { n: r.summary.terminals })), li(t('sumOffline', { n: r.summary.offline })),
      li(t('sumPaper', { n: r.summary.needsPaper })), li(t('sumBehind', { n: r.summary.behind })), li(t('sumDrift', { n: r.summary.drift })));
    fill('paper', r.rows.filter((x) => x.needsPaper).map((x) => x.terminalId + ' — ' + t('paper_' + x.paper)), t('none'));
    fill('offline', r.rows.filter((x) => x.offline).map((x) => x.terminalId + ' — ' + t('silentFor', { ago: ago(x.silentMs) })), t('none'));
    fill('behind', r.rows.filter((x) => x.behind).map((x) => x.terminalId + ' — ' + t('backlogOf', { n: x.outboxBacklog, push: since(x.lastPushAt, r.at) })), t('none'));
    $('rows').replaceChildren(...r.rows.map((x) => {
      const tr = document.createElement('tr');
      tr.dataset.terminal = x.terminalId;
      const cell = (text, cls) => { const td = document.createElement(tr.children.length ? 'td' : 'th'); if (!tr.children.length) td.scope = 'row'; td.textContent = text; if (cls) td.className = cls; tr.append(td); };
      cell(x.terminalId);
      cell(t('mode_' + x.mode));
      cell(x.offline ? t('stateOffline') : x.inService ? t('stateOnline') : t('stateOutOfService'), x.offline ? 'bad' : x.inService ? '' : 'warn');
      cell(ago(x.silentMs));
      cell(t('paper_' + x.paper), x.paper === 'out' ? 'bad' : x.paper === 'near_end' ? 'warn' : '');
      cell(String(x.outboxBacklog) + (x.behind ? ' — ' + t('behindShort') : ''), x.behind ? 'bad' : '');
      cell(since(x.lastPushAt, r.at));
      cell(x.clockDriftMs === null ? t('unknown') : t('driftSeconds', { n: (Math.round(x.clockDriftMs / 100) / 10 || 0).toFixed(1) }), x.drift ? 'bad' : '');
      cell(x.version);
      cell(x.faults.length ? x.faults.join('; ') : t('none'), x.faults.length ? 'warn' : '');
      return tr;
    }));
    $('view').hidden = false;
  }
  $('auth').addEventListener('submit', (e) => {
    e.preventDefault();
    token = $('token').value;
    sessionStorage.setItem('griddesk-fleet-token', token);
    void load();
  });
  void load();
  timer = setInterval(() => void load(), 30000);
})();
</script>
</body>
</html>
`;
}
