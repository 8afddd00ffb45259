import type { ComponentType } from 'react';
import type { Role } from '../../../main/contract/index.js';

/**
 * A sub-section of the recovery desk (worklist, notices, contacts, dashboard, promotion…).
 * Each part of the recovery work adds its entry to RECOVERY_SECTIONS in ./index.ts; the desk shows
 * the ones the signed-in role may use, in list order.
 */
export interface RecoverySection {
  readonly id: string;
  /** i18n key of the section's tab. */
  readonly labelKey: string;
  readonly roles: readonly Role[];
  /** `accountNo` is the account chosen elsewhere on the desk (the worklist's row), if any. */
  readonly component: ComponentType<RecoverySectionProps>;
}

export interface RecoverySectionProps {
  readonly accountNo: string | null;
  /** Opens another section, e.g. the worklist's "notice" button opens notices for that account. */
  readonly open: (sectionId: string, accountNo?: string | null) => void;
}

/** Who works the recovery desk (issue 11): branch managers and supervisors. */
export const RECOVERY_ROLES: readonly Role[] = ['manager', 'supervisor'];
