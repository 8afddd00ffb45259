import { useEffect, useState } from 'react';
import { call } from './rpc';

// The terminal's zone does not change while the UI runs: ask the core once per page.
let terminalZone: Promise<string | null> | null = null;

export function useTerminalTimeZone(): string | null {
  const [zone, setZone] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    terminalZone ??= call('system.info', {}).then((r) => (r.ok ? r.result.timeZone : null));
    void terminalZone.then((z) => {
      if (z === null) terminalZone = null; // a failed call is retried by the next panel
      if (alive) setZone(z);
    });
    return () => {
      alive = false;
    };
  }, []);
  return zone;
}
