export { mulberry32 } from '../../../support/prng.js';

export function randInt(rand: () => number, maxExclusive: number): number {
  return Math.floor(rand() * maxExclusive);
}

export function randU32(rand: () => number): number {
  return randInt(rand, 0x100000000) >>> 0;
}

export function shuffled(rand: () => number, n: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = randInt(rand, i + 1);
    [a[i], a[j]] = [a[j] as number, a[i] as number];
  }
  return a;
}
