/**
 * scripts/lint.sh's layering rules, run for real on scratch trees: each rule catches its
 * offence, names it, and leaves the allowed imports alone.
 */
import { describe, expect, it } from 'vitest';
import { lint } from '../../support/lint.js';

const cases: { rule: string; file: string; line: string }[] = [
  { rule: 'store imports sync, services or a shell', file: 'main/store/accounts.ts', line: "import type { X } from '../sync/backend-client.js';" },
  { rule: 'store imports sync, services or a shell', file: 'main/store/journal.ts', line: "import { pay } from '../services/payments.js';" },
  { rule: 'electron imports the host shell', file: 'main/electron/main.ts', line: "import { buildCore } from '../host/compose.js';" },
  { rule: 'common tier imports Node or the node tier', file: 'main/domain/late-fee/x.ts', line: "import { readFileSync } from 'node:fs';" },
  { rule: 'common tier imports Node or the node tier', file: 'main/domain/tariff/x.ts', line: "import { loadVendRules } from '../../loaders/tariff-config.js';" },
  { rule: 'common tier imports Node or the node tier', file: 'main/vending/sts/x.ts', line: "import path from 'path';" },
  { rule: 'implementation chosen outside main/compose/', file: 'main/core.ts', line: 'const client = new BackendClient({ baseUrl });' },
  { rule: 'implementation chosen outside main/compose/', file: 'main/services/vending/handlers.ts', line: 'const g = new HttpPaymentGateway(url, 10_000);' },
  { rule: 'implementation chosen outside main/compose/', file: 'main/services/x.ts', line: "import { createSimulatedHall } from '../../kiosk-drivers/device-manager/sim/simulated-hall.js';" },
  { rule: 'implementation chosen outside main/compose/', file: 'main/host/x.ts', line: "import { networkTransport } from '../../kiosk-drivers/printer/transports.js';" },
];

describe('lint: layering', () => {
  for (const c of cases) {
    it(`${c.rule}: ${c.line}`, () => {
      const r = lint({ [c.file]: `${c.line}\n` });
      expect(r.status).toBe(1);
      expect(r.out).toContain(`${c.file}:1:`);
      expect(r.out).toContain(`lint: ${c.rule}`);
    });
  }

  it('allows what the layers permit', () => {
    const r = lint({
      'main/store/accounts.ts': "import type { AccountSnapshot } from '../wire/backend-wire.js';\n",
      'main/electron/main.ts': "import { buildCoreFromConfig } from '../compose/index.js';\n",
      'main/domain/tariff/x.ts': "import { z } from 'zod';\nimport { E } from '../../contract/errors/index.js';\n",
      'main/compose/index.ts': "const client = new BackendClient({ baseUrl });\nimport { createSimulatedHall } from '../../kiosk-drivers/device-manager/sim/simulated-hall.js';\n",
      'main/loaders/tariff-config.ts': "import { readFileSync } from 'node:fs';\n",
    });
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  });
});
