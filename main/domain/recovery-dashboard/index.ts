export * from './recovery-rate.js';
export * from './ageing.js';
export * from './rules.js';
export * from './notices.js';
