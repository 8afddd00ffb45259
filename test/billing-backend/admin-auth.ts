/** The admin routes' bearer token, compared in constant time (its length is not secret). */
import { createHash, timingSafeEqual } from 'node:crypto';

export function adminAuthorized(header: string | undefined, token: string): boolean {
  const m = /^Bearer (\S+)$/.exec(header ?? '');
  if (m === null) return false;
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(m[1] as string), digest(token));
}
