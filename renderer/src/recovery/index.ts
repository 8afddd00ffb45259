import type { Screen } from '../screens';
import { makeRecoveryScreen } from './recovery-screen';
import { RECOVERY_ROLES, type RecoverySection } from './sections';
import { WorklistSection } from './worklist-section';
import { NoticesSection } from './notices-section';
import { ContactsSection } from './contacts-section';
import { DashboardSection } from './dashboard-section';
import { PromotionSection } from './promotion-section';

/**
 * The recovery desk's sub-sections, in tab order. Add yours here (one line) with its component
 * in this folder: dashboard (回收率), promotion (预付费推广), …
 */
export const RECOVERY_SECTIONS: readonly RecoverySection[] = [
  { id: 'worklist', labelKey: 'recovery.sections.worklist', roles: RECOVERY_ROLES, component: WorklistSection },
  { id: 'notices', labelKey: 'recovery.sections.notices', roles: RECOVERY_ROLES, component: NoticesSection },
  { id: 'contacts', labelKey: 'recovery.sections.contacts', roles: RECOVERY_ROLES, component: ContactsSection },
  { id: 'dashboard', labelKey: 'recovery.sections.dashboard', roles: RECOVERY_ROLES, component: DashboardSection },
  { id: 'promotion', labelKey: 'recovery.sections.promotion', roles: RECOVERY_ROLES, component: PromotionSection },
];

/** The recovery desk (issue 11) for branch managers and supervisors. */
export const recoveryScreens: readonly Screen[] = [
  { id: 'recovery', labelKey: 'recovery.tab', roles: RECOVERY_ROLES, component: makeRecoveryScreen(RECOVERY_SECTIONS) },
];
