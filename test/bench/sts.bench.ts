/**
 * STS token generation rate on one core: TokenEngine.creditToken with the decoder key cached
 * (the counter vending again to a known meter) and not cached (DKGA02/DES on every token).
 */
import { TokenEngine, type MeterIdentity } from '../../main/vending/sts/index.js';
import { atLeast, info, type BenchResult } from './harness.js';

const TARGET_TOKENS_PER_S = 20_000;

function meter(i: number): MeterIdentity {
  return {
    iin: '600727',
    drn: String(10_000_000_000 + (i % 1000)).slice(-11),
    keyType: 2,
    sgc: '123456',
    ti: '01',
    krn: 1,
    baseDate: '2014-01-01',
    algorithm: 'EA07',
  };
}

/** Tokens per second over at least `minMs` (after a warm-up), best of three runs. */
function rate(engine: TokenEngine, meters: readonly MeterIdentity[], minMs: number): number {
  let best = 0;
  let seq = 0;
  const warm = () => engine.creditToken(meters[seq % meters.length] as MeterIdentity, { amountTenths: 1000 + (seq % 5000), tid: seq++ & 0xffffff, rnd: seq & 15 });
  for (let i = 0; i < 2000; i++) warm();
  for (let run = 0; run < 3; run++) {
    let n = 0;
    const t0 = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < minMs) {
      for (let k = 0; k < 500; k++) {
        engine.creditToken(meters[seq % meters.length] as MeterIdentity, { amountTenths: 1000 + (seq % 5000), tid: seq & 0xffffff, rnd: seq & 15 });
        seq++;
      }
      n += 500;
      elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
    }
    best = Math.max(best, (n * 1000) / elapsed);
  }
  return best;
}

export async function run(): Promise<BenchResult[]> {
  const meters = Array.from({ length: 1000 }, (_, i) => meter(i));
  const cached = new TokenEngine({ vendingKey: 'ABABABABABABABAB', cacheSize: 4096, random: () => 0.5 });
  const uncached = new TokenEngine({ vendingKey: 'ABABABABABABABAB', cacheSize: 0, random: () => 0.5 });
  const cachedRate = rate(cached, meters, 400);
  const uncachedRate = rate(uncached, meters, 400);
  return [
    atLeast('sts token generation, decoder key cached', cachedRate, 'tokens/s', TARGET_TOKENS_PER_S),
    atLeast('sts token generation, decoder key not cached (DKGA02 each time)', uncachedRate, 'tokens/s', TARGET_TOKENS_PER_S),
    info('sts µs per token, cached', 1e6 / cachedRate, 'µs'),
    info('sts µs per token, not cached', 1e6 / uncachedRate, 'µs'),
  ];
}
