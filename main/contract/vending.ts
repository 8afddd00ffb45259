/**
 * Vending methods of the contract (prepaid top-up, token help desk). Owned by the vending area;
 * merged into the contract's method map in ./index.ts.
 */
import type { Access } from './roles.js';

export const vendingMethodSchemas = {} as const;

export const vendingMethodAccess: { readonly [K in keyof typeof vendingMethodSchemas]: Access } = {};

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface VendingMethodResults {}
