import { describe, expect, it } from 'vitest';
import { EventBatchSchema, MAX_EVENTS_PER_BATCH, PaymentCreatedPayloadSchema, TerminalEventSchema } from '../../../main/wire/backend-wire.js';

const payment = {
  paymentId: 'P-1',
  accountNo: '3100000001',
  method: 'cash',
  amountFen: 30000,
  allocations: [
    { billId: 'B2026090000007', fen: 20000 },
    { billId: 'B2026100000008', fen: 9000 },
  ],
  toBalanceFen: 1000,
  operatorId: 'C001',
};

const event = (i: number): unknown => ({
  eventId: `01900000-0000-7000-8000-${String(i).padStart(12, '0')}`,
  seq: i,
  type: 'payment.created',
  occurredAt: '2026-11-27T02:00:00.000Z',
  payload: payment,
});

describe('backend wire schemas', () => {
  it('accepts a payment whose allocations and balance add up to the amount', () => {
    expect(PaymentCreatedPayloadSchema.safeParse(payment).success).toBe(true);
  });

  it('rejects a payment that does not add up, names a bill twice, or carries fractional fen', () => {
    expect(PaymentCreatedPayloadSchema.safeParse({ ...payment, toBalanceFen: 999 }).success).toBe(false);
    expect(
      PaymentCreatedPayloadSchema.safeParse({
        ...payment,
        allocations: [
          { billId: 'B1', fen: 100 },
          { billId: 'B1', fen: 100 },
        ],
        amountFen: 200,
        toBalanceFen: 0,
      }).success,
    ).toBe(false);
    expect(PaymentCreatedPayloadSchema.safeParse({ ...payment, amountFen: 30000.5, toBalanceFen: 1000.5 }).success).toBe(false);
    expect(PaymentCreatedPayloadSchema.safeParse({ ...payment, method: 'cheque' }).success).toBe(false);
  });

  it('bounds a batch to 1..500 events', () => {
    expect(EventBatchSchema.safeParse({ terminalId: 'T', events: [] }).success).toBe(false);
    expect(EventBatchSchema.safeParse({ terminalId: 'T', events: [event(1)] }).success).toBe(true);
    const full = Array.from({ length: MAX_EVENTS_PER_BATCH }, (_, i) => event(i));
    expect(EventBatchSchema.safeParse({ terminalId: 'T', events: full }).success).toBe(true);
    expect(EventBatchSchema.safeParse({ terminalId: 'T', events: [...full, event(999)] }).success).toBe(false);
  });

  it('requires a UUID event id and an ISO timestamp', () => {
    expect(TerminalEventSchema.safeParse({ ...(event(1) as object), eventId: 'not-a-uuid' }).success).toBe(false);
    expect(TerminalEventSchema.safeParse({ ...(event(1) as object), occurredAt: '27/11/2026' }).success).toBe(false);
    expect(TerminalEventSchema.safeParse({ ...(event(1) as object), seq: -1 }).success).toBe(false);
  });
});
