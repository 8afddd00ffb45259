import type { Screen } from '../screens';
import { AuditScreen } from './audit-screen';

/** The inspection screen (稽查): the auditor's, and the branch manager's who answers for the hall. */
export const auditScreens: readonly Screen[] = [{ id: 'audit', labelKey: 'app.tabs.audit', roles: ['auditor', 'manager'], component: AuditScreen }];

export { IntegrityBanner } from './integrity-banner';
