/** Pure late-fee rules (common tier). The node-tier file loader is main/loaders/late-fee-rules.ts. */
export * from './late-fee-schema.js';
export * from './compute-late-fee.js';
