import type { Screen } from '../screens';
import { HelpDeskScreen } from './helpdesk-screen';
import { TopUpScreen } from './topup-screen';

/** Vending screens (prepaid top-up, token help desk). */
export const vendingScreens: readonly Screen[] = [
  { id: 'topup', labelKey: 'vending.tabs.topup', roles: ['clerk', 'supervisor', 'manager'], component: TopUpScreen },
  { id: 'helpdesk', labelKey: 'vending.tabs.helpdesk', roles: ['clerk', 'supervisor', 'manager', 'auditor', 'technician'], component: HelpDeskScreen },
];
