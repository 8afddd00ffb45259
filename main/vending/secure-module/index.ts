export type { IssueCreditRequest, IssuedCredit, SecureModule, SecureModuleMode } from './secure-module.js';
export { LocalSecureModule, meterIdentity } from './local-secure-module.js';
export { OnlineSecureModule, STS_ISSUE_PATH, StsIssueRequestSchema, StsIssueResponseSchema, type StsIssueRequest, type StsIssueResponse } from './online-secure-module.js';
export { KEYS_DIR, loadSecureModuleConfig, loadVendingKeyFile, resolveKeyPath, SecureModuleConfigSchema, type SecureModuleConfig, type VendingKeyMaterial } from './key-file.js';
