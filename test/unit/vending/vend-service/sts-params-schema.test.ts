/**
 * The backend's STS parameters (sync wire) accept exactly what the token engine accepts, so a
 * meter the engine would refuse never reaches a vend as valid data.
 */
import { describe, expect, it } from 'vitest';
import { StsParamsSchema } from '../../../../main/wire/backend-wire.js';
import { assertMeterIdentity } from '../../../../main/vending/sts/index.js';

const BASE = { iin: '600727', drn: '00000000000', keyType: 2, sgc: '123456', ti: '01', krn: 1, baseDate: '2014-01-01', algorithm: 'EA07' } as const;

function engineAccepts(m: typeof BASE | Record<string, unknown>): boolean {
  try {
    assertMeterIdentity(m as Parameters<typeof assertMeterIdentity>[0]);
    return true;
  } catch {
    return false;
  }
}

describe('StsParamsSchema matches the engine', () => {
  it.each([
    ...Array.from({ length: 16 }, (_, k) => ({ keyType: k })),
    ...Array.from({ length: 16 }, (_, k) => ({ krn: k })),
  ])('%o', (patch) => {
    const m = { ...BASE, ...patch };
    expect(StsParamsSchema.safeParse(m).success).toBe(engineAccepts(m));
  });

  it('refuses key type 4 and key revision 0 like the engine', () => {
    expect(StsParamsSchema.safeParse({ ...BASE, keyType: 4 }).success).toBe(false);
    expect(StsParamsSchema.safeParse({ ...BASE, krn: 0 }).success).toBe(false);
    expect(StsParamsSchema.safeParse(BASE).success).toBe(true);
  });
});
