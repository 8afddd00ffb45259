export * from './rules.js';
export * from './facts.js';
export * from './evaluate.js';
export * from './handling.js';
export * from './promotion.js';
export * from './points.js';
