import type { ComponentType } from 'react';
import type { Role } from '../../main/contract/index.js';

/** A top-level screen of the counter; areas contribute theirs (vending/, devices/). */
export interface Screen {
  readonly id: string;
  /** i18n key of the tab label. */
  readonly labelKey: string;
  readonly roles: readonly Role[];
  readonly component: ComponentType;
}
