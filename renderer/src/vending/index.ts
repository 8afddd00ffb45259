import type { Screen } from '../screens';

/** Vending screens (prepaid top-up, token help desk). */
export const vendingScreens: readonly Screen[] = [];
