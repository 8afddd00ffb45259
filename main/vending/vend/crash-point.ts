/**
 * Fault injection for the crash tests: when $GRIDDESK_CRASH_AT names this point, the process
 * kills itself with SIGKILL right here (no cleanup, no flush), exactly like a power cut after
 * the preceding commit. Unset in production: one env read per call, nothing else.
 */
export const CRASH_POINTS = [
  'vend.created',
  'vend.gateway_answered',
  'vend.paid',
  // The secure module answered (the backend stored the token) but token_issued is not committed.
  'vend.issue_answered',
  'vend.token_issued',
  'vend.printed',
  // A screen delivery's attempt is committed; the token may be on screen, delivered is not committed.
  'vend.shown',
  'vend.delivered',
  // The kiosk's QR order is committed paid (bills settled; a vend not yet marked paid) and nothing delivered.
  'kiosk.order_paid',
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

export function crashPoint(name: CrashPoint): void {
  if (process.env.GRIDDESK_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}
