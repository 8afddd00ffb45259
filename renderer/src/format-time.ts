/**
 * Date and time as the hall reads them: in the terminal's zone (system.info `timeZone`), not the
 * zone of whatever browser or machine shows the UI, in the UI language. Pure; no I/O.
 */

/** `iso` (any Date-parsable instant) as date + 24-hour time in `timeZone`; the input itself if either is unusable. */
export function formatDateTime(iso: string, timeZone: string, lang: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(lang, {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(at);
  } catch {
    // An unknown zone or language (RangeError): the unambiguous ISO text beats a time in the wrong zone.
    return iso;
  }
}

/** Time of day (HH:mm:ss) in `timeZone`, for event logs; the browser's zone until the terminal's is known. */
export function formatClock(at: string | number, timeZone: string | null, lang: string): string {
  const opts: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };
  try {
    return new Intl.DateTimeFormat(lang, timeZone ? { ...opts, timeZone } : opts).format(new Date(at));
  } catch {
    return new Intl.DateTimeFormat(lang, opts).format(new Date(at));
  }
}
