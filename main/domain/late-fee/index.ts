/** Pure late-fee rules (common tier). The node-tier file loader is ./load-late-fee-rules.ts. */
export * from './late-fee-schema.js';
export * from './compute-late-fee.js';
