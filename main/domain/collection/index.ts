/** The collection area's pure rules: lawful notice dates, the days-left forecast, the early-warning worklist, script suggestions. */
export * from './rules.js';
export * from './calendar.js';
export * from './lawful-date.js';
export * from './forecast.js';
export * from './worklist.js';
export * from './scripts.js';
