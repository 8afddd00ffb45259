/**
 * The secure modules of one terminal. The key file is read ONCE, into one local module (one engine
 * with its decoder key cache), shared by vending and management tokens. Outside the demo (a backend
 * that is not loopback) the demo's TEST key material is refused here, at start.
 */
import { isDemoBackend, type TerminalConfig } from '../config.js';
import type { Clock } from '../services/clock.js';
import type { SecureModules } from '../services/vending/handlers.js';
import type { HttpTransport } from '../sync/http-json.js';
import {
  LocalSecureModule,
  loadSecureModuleConfig,
  loadVendingKeyFile,
  OnlineSecureModule,
  resolveKeyPath,
  secureModuleConfigPath,
  type SecureModuleConfig,
  type VendingKeyMaterial,
} from '../vending/secure-module/index.js';
import { SAMPLE_TEST_TABLES } from '../vending/sts/index.js';

export function loadSecureModules(config: TerminalConfig, clock: Clock, override?: SecureModuleConfig, transport?: HttpTransport): SecureModules {
  const sm = override ?? loadSecureModuleConfig();
  const material = sm.keyFile === null ? null : loadVendingKeyFile(sm.keyFile);
  if (material && sm.keyFile !== null && !isDemoBackend(config)) refuseDemoKeyMaterial(material, sm.keyFile, override ? 'secure module config' : secureModuleConfigPath(), config.backend.url);
  const local = material ? new LocalSecureModule(material) : null;
  if (sm.mode === 'local' && !local) throw new Error('secure module in local mode needs a keyFile');
  const online = new OnlineSecureModule({
    baseUrl: config.backend.url,
    terminalId: config.terminalId,
    secret: config.backend.terminalSecret,
    timeoutMs: sm.onlineTimeoutMs,
    now: clock,
    ...(transport ? { transport } : {}),
  });
  return { config: sm, local, online };
}

/** The demo vending key or the published SAMPLE TEST tables never vend for a real backend. */
function refuseDemoKeyMaterial(material: VendingKeyMaterial, keyFile: string, configFile: string, backendUrl: string): void {
  const what = material.testKeyMaterial ? 'the demo (TEST) vending key' : material.tables === SAMPLE_TEST_TABLES ? 'the SAMPLE TEST EA07 tables' : null;
  if (what === null) return;
  throw new Error(
    `${configFile}: keyFile: ${resolveKeyPath(keyFile)} holds ${what}, refused outside the demo ` +
      `(backend.url ${backendUrl} is not loopback); name the utility's vending key file there, or point ` +
      `$GRIDDESK_SECURE_MODULE_CONFIG at this site's secure module config`,
  );
}
