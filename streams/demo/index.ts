// The demo 双11 day: every stream, deterministic per (seed, tz, rate, violations, second), plus its reference
// data. server/demo.ts and streams/cli.ts use it; tests check it against the server's own validators.
export { demoEventsForSecond, type DemoEvent } from './day.ts';
export { demoReference, averagePaidFen, REFERENCE_ORDER, type DemoReference, type ReferenceKindName } from './reference.ts';
export {
  DEFAULT_VIOLATIONS, RULE_IDS, parseViolations, resolveOptions, type DemoOptions, type RuleId, type Violations,
} from './options.ts';
export { dayCurve, dayStartSecond, dateOfSecond, zoneFor } from './time.ts';
export { openingReceipts } from '../inventory/demo.ts';
