/**
 * The secure modules of one terminal. The key file is read ONCE, into one local module (one engine
 * with its decoder key cache), shared by vending and management tokens.
 */
import type { TerminalConfig } from '../config.js';
import type { Clock } from '../services/clock.js';
import type { SecureModules } from '../services/vending/handlers.js';
import {
  LocalSecureModule,
  loadSecureModuleConfig,
  loadVendingKeyFile,
  OnlineSecureModule,
  type SecureModuleConfig,
} from '../vending/secure-module/index.js';

export function loadSecureModules(config: TerminalConfig, clock: Clock, override?: SecureModuleConfig): SecureModules {
  const sm = override ?? loadSecureModuleConfig();
  const local = sm.keyFile === null ? null : new LocalSecureModule(loadVendingKeyFile(sm.keyFile));
  if (sm.mode === 'local' && !local) throw new Error('secure module in local mode needs a keyFile');
  const online = new OnlineSecureModule({
    baseUrl: config.backend.url,
    terminalId: config.terminalId,
    secret: config.backend.terminalSecret,
    timeoutMs: sm.onlineTimeoutMs,
    now: clock,
  });
  return { config: sm, local, online };
}
