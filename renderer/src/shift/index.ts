import type { Screen } from '../screens';
import { ReconciliationScreen } from './reconciliation-screen';
import { ShiftScreen } from './shift-screen';

/** Shift screens: the clerk's drawer, and the day's reconciliation for supervisors and auditors. */
export const shiftScreens: readonly Screen[] = [
  { id: 'shift', labelKey: 'app.tabs.shift', roles: ['clerk', 'supervisor', 'manager'], component: ShiftScreen },
  { id: 'reconciliation', labelKey: 'app.tabs.reconciliation', roles: ['supervisor', 'manager', 'auditor'], component: ReconciliationScreen },
];
