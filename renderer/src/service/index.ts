import type { Screen } from '../screens';
import { ServiceScreen } from './service-screen';

/** Service quality: the customer display, complaints, applications, recommendations, ratings report (docs/service.md). */
export const serviceScreens: readonly Screen[] = [
  { id: 'service', labelKey: 'service.tabs.service', roles: ['clerk', 'supervisor', 'manager', 'auditor'], component: ServiceScreen },
];
