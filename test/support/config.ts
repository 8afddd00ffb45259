/**
 * Terminal configuration for tests and benchmarks: the demo terminal with an unreachable backend
 * and no printer unless a test says otherwise, validated by the real schema.
 */
import path from 'node:path';
import type { z } from 'zod';
import { TerminalConfigSchema, type TerminalConfig } from '../../main/config.js';
import { loadLateFeeRules } from '../../main/loaders/late-fee-rules.js';
import { RESOURCES_DIR } from '../../main/compose/index.js';
import { deepMerge, type Tree } from '../../main/i18n/deep-merge.js';
import type { LateFeePolicy } from '../../main/services/accounts.js';
import { lateFeePolicy } from '../../main/services/late-fees.js';
import { DEMO_TERMINAL } from '../../main/sync/signing.js';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };
type ConfigInput = z.input<typeof TerminalConfigSchema>;

export function testTerminalConfig(overrides: DeepPartial<ConfigInput> & { dataDir: string }): TerminalConfig {
  const base: Tree = {
    terminalId: DEMO_TERMINAL.id,
    mode: 'counter',
    defaultLocale: 'zh-CN',
    timeZone: 'Asia/Shanghai',
    backend: {
      url: 'http://127.0.0.1:9',
      terminalSecret: DEMO_TERMINAL.secret,
      lookupTimeoutMs: 1500,
      pushIntervalMs: 600_000,
      pushBatchSize: 100,
    },
    printer: { transport: 'none' },
    receipt: { header: '国网三门峡供电公司 湖滨营业厅', hotline: '95598' },
    // Tests not about the drawer take money without opening a shift; shift tests, the shift e2e and
    // the shipped defaults (resources/config/terminal.default.json) require one.
    shift: { required: false },
  };
  return TerminalConfigSchema.parse(deepMerge(base, overrides as Tree));
}

/** The shipped late-fee rules (resources/rules/late-fee.json) as the account service's policy. */
export function shippedLateFees(): LateFeePolicy {
  return lateFeePolicy(loadLateFeeRules(path.join(RESOURCES_DIR, 'rules', 'late-fee.json')));
}
