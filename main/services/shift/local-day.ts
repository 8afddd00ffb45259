/** A local calendar day of the terminal's zone as the UTC instants it spans. */

/** Offset of `zone` from UTC at instant `ms` (ms, positive east of Greenwich). */
function zoneOffsetMs(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? '0');
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(ms / 1000) * 1000;
}

/** Local midnight of `date` ('YYYY-MM-DD') in `timeZone`, as epoch ms (DST-safe: offset re-read at the result). */
export function localMidnight(date: string, timeZone: string): number {
  const utc = Date.parse(`${date}T00:00:00Z`);
  let guess = utc - zoneOffsetMs(utc, timeZone);
  guess = utc - zoneOffsetMs(guess, timeZone);
  return guess;
}

/** [from, to) of a local day, as ISO instants (the journal's `at` and the ledger's `occurredAt` compare as strings). */
export function localDayRange(date: string, timeZone: string): { from: string; to: string } {
  const next = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return { from: new Date(localMidnight(date, timeZone)).toISOString(), to: new Date(localMidnight(next, timeZone)).toISOString() };
}
