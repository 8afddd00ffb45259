/**
 * The staff exit's card step (docs/kiosk.md "Staff exit", docs/devices/staff-badge.md): a badge read
 * at the reader names the operator for this session for a short while, so the PIN that follows is
 * checked against the badge's operator and never against an ID the screen sent. Every read is
 * journaled: the badge's operator, or why the card was refused (with its serial, never a PIN).
 */
import { AppError, KIOSK_STAFF_BADGE_TTL_MS, type KioskStaffCardView } from '../../contract/index.js';
import { DeviceError } from '../../../kiosk-drivers/errors.js';
import type { Session } from '../dispatch.js';
import type { KioskContext } from './kiosk-context.js';

interface BadgeHeld {
  readonly operatorId: string;
  readonly issue: number;
  readonly cardSerial: string;
  readonly expiresAt: number;
}

export class KioskStaffBadges {
  /** Per session: a closed session's badge goes with it. */
  private readonly held = new WeakMap<Session, BadgeHeld>();

  constructor(private readonly ctx: KioskContext) {}

  async read(session: Session): Promise<KioskStaffCardView> {
    this.held.delete(session);
    const devices = this.ctx.deps.devices;
    if (!devices) throw new DeviceError('device.not_found', { device: 'cardReader' });
    let r: Awaited<ReturnType<typeof devices.readStaffBadge>>;
    try {
      r = await devices.readStaffBadge();
    } catch (e) {
      // A card pulled out or a reader fault: said by its own (device) message; journaled all the same.
      this.failed(null, e instanceof DeviceError ? e.code : 'error');
      throw e;
    }
    if (r.kind === 'not_badge') {
      const code = r.customerCard ? 'kiosk.staff_card_customer' : 'kiosk.staff_card_unknown';
      this.failed(r.cardSerial, code);
      throw new AppError(code);
    }
    if (r.kind === 'forged') {
      this.failed(r.cardSerial, 'kiosk.staff_badge_invalid', { check: r.reason });
      throw new AppError('kiosk.staff_badge_invalid');
    }
    const now = this.ctx.now().getTime();
    const { operatorId, issue, validUntil } = r.badge;
    if (validUntil !== 0 && now >= validUntil * 1000) {
      const until = new Date(validUntil * 1000).toISOString();
      this.failed(r.cardSerial, 'kiosk.staff_badge_expired', { operatorId, issue, validUntil: until });
      throw new AppError('kiosk.staff_badge_expired', { validUntil: until.slice(0, 10) });
    }
    const held: BadgeHeld = { operatorId, issue, cardSerial: r.cardSerial, expiresAt: now + KIOSK_STAFF_BADGE_TTL_MS };
    this.held.set(session, held);
    this.ctx.journal('kiosk.staff_card_read', operatorId, { operatorId, issue, cardSerial: r.cardSerial });
    return { operatorId, issue, cardSerial: r.cardSerial, expiresAt: new Date(held.expiresAt).toISOString() };
  }

  /** The badge read in this session and still standing; `kiosk.staff_card_required` otherwise. */
  current(session: Session): BadgeHeld {
    const h = this.held.get(session);
    if (!h || this.ctx.now().getTime() >= h.expiresAt) {
      this.held.delete(session);
      this.failed(null, 'kiosk.staff_card_required');
      throw new AppError('kiosk.staff_card_required');
    }
    return h;
  }

  /** Spent by a successful exit (a later exit needs the card again). */
  spend(session: Session): void {
    this.held.delete(session);
  }

  private failed(cardSerial: string | null, reason: string, extra: Record<string, unknown> = {}): void {
    this.ctx.journal('kiosk.staff_exit_failed', cardSerial ?? this.ctx.deps.config.terminalId, { via: 'card', reason, cardSerial, ...extra });
  }
}
