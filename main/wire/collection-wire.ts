/**
 * The collection events a terminal syncs (recovery desk, docs/recovery.md), shared by the terminal
 * and the reference backend: a notice served, a contact logged, worklist accounts assigned.
 */
import { z } from 'zod';

const day = z.iso.date();
const accountNo = z.string().regex(/^\d{6,20}$/);

export const COLLECTION_EVENT_TYPES = { noticeIssued: 'notice.issued', contactLogged: 'contact.logged', worklistAssigned: 'worklist.assigned' } as const;

export const NoticeIssuedPayloadSchema = z.object({
  noticeId: z.string().min(1),
  noticeNo: z.string().min(1),
  accountNo,
  kind: z.enum(['reminder', 'disconnection']),
  customerClass: z.string().min(1),
  servedOn: day,
  /** Disconnection notices: the earliest lawful date; null for reminders. */
  earliestDisconnectOn: day.nullable(),
  overdueFen: z.int().positive(),
  lateFeeFen: z.int().nonnegative(),
  billIds: z.array(z.string().min(1)).min(1),
  operatorId: z.string().min(1),
});
export type NoticeIssuedPayload = z.infer<typeof NoticeIssuedPayloadSchema>;

export const ContactLoggedPayloadSchema = z.object({
  contactId: z.string().min(1),
  accountNo,
  channel: z.enum(['call', 'visit', 'sms', 'letter']),
  outcome: z.enum(['reached', 'promised', 'no_answer', 'refused', 'wrong_number', 'already_paid', 'left_message']),
  note: z.string().max(500),
  smsText: z.string().max(500).nullable(),
  promiseOn: day.nullable(),
  promiseFen: z.int().positive().nullable(),
  operatorId: z.string().min(1),
});
export type ContactLoggedPayload = z.infer<typeof ContactLoggedPayloadSchema>;

export const WorklistAssignedPayloadSchema = z.object({
  accountNos: z.array(accountNo).min(1).max(500),
  assigneeId: z.string().min(1).nullable(),
  assignedBy: z.string().min(1),
});
