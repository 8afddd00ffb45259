import { useEffect, useRef, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { formatClock } from '../format-time';
import { useTerminalTimeZone } from '../use-terminal-time-zone';
import type { EventPayloads } from '../../../main/contract/index.js';
import { bridge } from '../bridge';


type LoggedEvent =
  | { readonly at: number; readonly name: 'device.statusChanged'; readonly payload: EventPayloads['device.statusChanged'] }
  | { readonly at: number; readonly name: 'printer.statusChanged'; readonly payload: EventPayloads['printer.statusChanged'] }
  | { readonly at: number; readonly name: 'card.inserted'; readonly payload: EventPayloads['card.inserted'] }
  | { readonly at: number; readonly name: 'card.removed'; readonly payload: EventPayloads['card.removed'] }
  | { readonly at: number; readonly name: 'scan.received'; readonly payload: EventPayloads['scan.received'] };

const KEEP = 30;

function describe(e: LoggedEvent, t: TFunction): string {
  switch (e.name) {
    case 'device.statusChanged':
      return t('diagnostics.events.deviceStatus', { device: t(`diagnostics.kind.${e.payload.kind}`), state: t(e.payload.stateKey) });
    case 'printer.statusChanged':
      return t('diagnostics.events.printerStatus', { state: e.payload.fault ? t(`errors.${e.payload.fault}`, { device: t('diagnostics.kind.printer') }) : e.payload.paperNearEnd ? t('diagnostics.state.paperNearEnd') : t('diagnostics.state.ready') });
    case 'card.inserted':
      return t('diagnostics.events.cardInserted', { serial: e.payload.cardSerial });
    case 'card.removed':
      return t('diagnostics.events.cardRemoved', { serial: e.payload.cardSerial ?? '' });
    case 'scan.received':
      return t('diagnostics.events.scan', { data: e.payload.data });
    default: {
      const never: never = e;
      return String(never);
    }
  }
}

/** The newest device events first, as they arrive (the list lives only while the screen is open). */
export function EventLog() {
  const { t, i18n } = useTranslation();
  const timeZone = useTerminalTimeZone();
  const [events, setEvents] = useState<readonly LoggedEvent[]>([]);
  // Last shown line per device: a status event that only updates the last error adds no line.
  const shown = useRef(new Map<string, string>());
  useEffect(() => {
    const push = (e: LoggedEvent) => {
      if (e.name === 'device.statusChanged') {
        const line = `${e.payload.connection}|${e.payload.stateKey}|${e.payload.cardSerial ?? ''}`;
        if (shown.current.get(e.payload.id) === line) return;
        shown.current.set(e.payload.id, line);
      }
      setEvents((list) => [e, ...list].slice(0, KEEP));
    };
    const offs = [
      bridge.subscribe('device.statusChanged', (payload) => push({ at: Date.now(), name: 'device.statusChanged', payload })),
      bridge.subscribe('printer.statusChanged', (payload) => push({ at: Date.now(), name: 'printer.statusChanged', payload })),
      bridge.subscribe('card.inserted', (payload) => push({ at: Date.now(), name: 'card.inserted', payload })),
      bridge.subscribe('card.removed', (payload) => push({ at: Date.now(), name: 'card.removed', payload })),
      bridge.subscribe('scan.received', (payload) => push({ at: Date.now(), name: 'scan.received', payload })),
    ];
    return () => offs.forEach((off) => off());
  }, []);
  return (
    <section className="card event-log" data-testid="event-log">
      <h3>{t('diagnostics.events.title')}</h3>
      {events.length === 0 ? (
        <p className="device-mode">{t('diagnostics.events.empty')}</p>
      ) : (
        <ol>
          {events.map((e, i) => (
            <li key={`${e.at}-${i}`} data-testid="event-item" data-event={e.name}>
              <time>{formatClock(e.at, timeZone, i18n.language)}</time> {describe(e, t)}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
