/** Pure tariff rules (common tier). The node-tier file loader is main/loaders/tariff-config.ts. */
export * from './error-codes.js';
export * from './tariff-schema.js';
export * from './civil-date.js';
export * from './billing-period.js';
export * from './time-of-use.js';
export * from './price-ladder.js';
export * from './energy-conversion.js';
export * from './vend-split.js';
