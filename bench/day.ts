// The generated day the benchmarks ingest: every stream of the demo.
export { demoEventsForSecond } from '../streams/demo/index.ts';
/** Average events per paid order in the generated day (orders, rx, inventory, trace, sensors, live). */
export const DEMO_EVENTS_PER_ORDER = 8;
