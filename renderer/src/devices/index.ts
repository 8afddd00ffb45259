import type { Screen } from '../screens';

/** Device screens (diagnostics). */
export const deviceScreens: readonly Screen[] = [];
