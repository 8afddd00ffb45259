/**
 * A supervisor's approval as it travels with a request (vend reversal today; voids, refunds and
 * cash differences later): the approver's operator id and PIN, typed at the requesting terminal.
 * Spread into a method's params schema, so every approving method validates them the same way.
 */
import { z } from 'zod';

export const SupervisorApprovalFields = {
  supervisorId: z.string().trim().min(1).max(32),
  supervisorPin: z.string().max(32),
} as const;
