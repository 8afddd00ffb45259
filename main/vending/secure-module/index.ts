export type { IssueCreditRequest, IssuedCredit, SecureModule, SecureModuleMode } from './secure-module.js';
export { LocalSecureModule, meterIdentity } from './local-secure-module.js';
export { OnlineSecureModule, STS_ISSUE_PATH, StsIssueRequestSchema, StsIssueResponseSchema, type StsIssueRequest, type StsIssueResponse } from './online-secure-module.js';
export { DEMO_VENDING_KEY_HEX, KEYS_DIR, loadSecureModuleConfig, loadVendingKeyFile, resolveKeyPath, secureModuleConfigPath, SecureModuleConfigSchema, type SecureModuleConfig, type VendingKeyMaterial } from './key-file.js';
