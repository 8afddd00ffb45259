/**
 * Who may still act on a session. A signed-in session ends when it has been idle longer than the
 * configured timeout (activity = any call from it), and when its operator is no longer on the
 * staff list (removed or deactivated by the backend). Either way the operator is cleared, so the
 * next protected call answers 'session.expired' / 'session.revoked' and the UI returns to sign-in.
 * A role or name changed on the staff list takes effect on the session's next call.
 */
import { AppError } from '../contract/index.js';
import type { Db } from '../store/db.js';
import { activeOperator } from './auth.js';
import type { Clock } from './clock.js';
import type { Session, SessionGuard } from './dispatch.js';

export interface SessionGuardDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly idleTimeoutMs: number;
}

export function createSessionGuard({ db, clock, idleTimeoutMs }: SessionGuardDeps): SessionGuard {
  return {
    admit(session: Session): AppError | null {
      const now = clock().getTime();
      const last = session.lastActiveAt ?? now;
      session.lastActiveAt = now;
      const op = session.operator;
      if (!op) return null;
      if (now - last > idleTimeoutMs) {
        session.operator = null;
        return new AppError('session.expired');
      }
      const listed = activeOperator(db, op.operatorId);
      if (!listed) {
        session.operator = null;
        return new AppError('session.revoked');
      }
      if (listed.role !== op.role || listed.name !== op.name) session.operator = listed;
      return null;
    },
  };
}
