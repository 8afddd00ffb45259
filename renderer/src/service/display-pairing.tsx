import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WireError } from '../../../main/contract/index.js';
import { call, useErrorText } from '../rpc';

/**
 * Opens the customer display: the core issues a one-time pairing code for this clerk's session and
 * a second window opens the display page with it (under the host shell a browser window; in
 * Electron the shell places it on the second screen, docs/service.md).
 */
export function DisplayPairing() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<WireError | null>(null);

  const open = async () => {
    setError(null);
    const r = await call('display.pair', {});
    if (!r.ok) {
      setError(r.error);
      return;
    }
    const target = displayUrl(r.result.code);
    setUrl(target);
    // Under Electron the shell intercepts this request and opens the display on the second screen.
    window.open(target, 'griddesk-customer-display', 'popup,width=800,height=600');
  };

  return (
    <section className="card row display-pairing" aria-label={t('service.tabs.display')}>
      <button type="button" onClick={() => void open()} data-testid="display-open">
        {t('service.display.pair')}
      </button>
      {url && (
        <a href={url} target="griddesk-customer-display" data-testid="display-link">
          {t('service.display.paired')}
        </a>
      )}
      {error && <p className="error" role="alert">{errorText(error)}</p>}
    </section>
  );
}

/** The display page's own URL: this page with `?display=<code>`; the host's secret rides in the fragment as at launch (file:// under Electron has none). */
function displayUrl(code: string): string {
  const url = new URL(location.href);
  url.search = `?display=${code}`;
  const secret = sessionStorage.getItem('griddesk.hostSecret');
  url.hash = secret ? `k=${encodeURIComponent(secret)}` : '';
  return url.toString();
}
