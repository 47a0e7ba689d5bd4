// The generated day the benchmarks ingest: every stream of the demo.
export { demoOrderEventsForSecond as demoEventsForSecond } from '../streams/orders/demo.ts';
/** Average events per paid order in the generated day (orders, rx, inventory, trace, sensors, live). */
export const DEMO_EVENTS_PER_ORDER = 4;
