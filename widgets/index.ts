// Entry point for screens: importing it registers every rx-* element (side effects) and exposes
// the formatters, so a screen can show the same text a widget would.
import './rx-kpi.js';
import './rx-line.js';
import './rx-gauge.js';
import './rx-bar.js';
import './rx-ring.js';
import './rx-topn.js';
import './rx-list.js';
import './rx-map.js';
import './rx-band.js';
import './rx-funnel.js';
import './rx-alert-feed.js';
import './rx-countdown.js';

export { RxKpi, KPI_FORMATS, type KpiFormat } from './rx-kpi.js';
export { RxLine, tickStepFor, type MinutePoint } from './rx-line.js';
export * from './format.js';
