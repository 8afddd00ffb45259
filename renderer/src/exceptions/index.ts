import type { Screen } from '../screens';
import { ExceptionsScreen } from './exceptions-screen';

/** The sync exceptions queue (docs/exceptions.md): supervisors resolve, auditors read. */
export const exceptionScreens: readonly Screen[] = [
  { id: 'exceptions', labelKey: 'exceptions.tab', roles: ['supervisor', 'manager', 'auditor'], component: ExceptionsScreen },
];
