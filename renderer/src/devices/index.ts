import type { Screen } from '../screens';
import { DiagnosticsScreen } from './diagnostics-screen';

export { PrinterHealthBanner } from './printer-health-banner';
export { useDeviceHealth, useDeviceList } from './use-devices';

/** Device screens (diagnostics), for the staff who look after the hall's devices. */
export const deviceScreens: readonly Screen[] = [
  { id: 'diagnostics', labelKey: 'diagnostics.tab', roles: ['supervisor', 'manager', 'technician'], component: DiagnosticsScreen },
];
