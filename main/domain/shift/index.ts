/** The shift area's pure rules: denominations, blind-count arithmetic, shift totals, reconciliation. */
export * from './rules.js';
export * from './denominations.js';
export * from './blind-count.js';
export * from './shift-totals.js';
export * from './reconciliation.js';
