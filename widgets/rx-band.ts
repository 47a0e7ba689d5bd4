import { css, html, nothing, svg, type PropertyValues, type TemplateResult } from 'lit';
import { customElement } from 'lit/decorators.js';
import { RowCardElement, cardFrame, cardState, rowCardStyles, rowSkeleton } from './card.js';
import { formatCelsius, normalizeLang, type Lang } from './format.js';
import { numberOr, readOptions, rowsAt } from './format-extra.js';
import { RxBandOptions } from './options.js';

export { RxBandOptions };

/** One sensor as `sensors.cold_chain` sends it; every number may be null. */
interface Sensor {
  id: string;
  location: string;
  status: 'ok' | 'out' | 'no_data';
  temp: number | null;
  bandMin: number | null;
  bandMax: number | null;
  min1h: number | null;
  max1h: number | null;
}

const STATUSES = new Set(['ok', 'out', 'no_data']);

function toSensor(r: Record<string, unknown>): Sensor | null {
  if (typeof r.sensor_id !== 'string') return null;
  const band = r.band !== null && typeof r.band === 'object' ? (r.band as Record<string, unknown>) : {};
  const temp = numberOr(r.temp_c);
  const status = typeof r.status === 'string' && STATUSES.has(r.status) ? (r.status as Sensor['status']) : 'no_data';
  return {
    id: r.sensor_id,
    location: typeof r.location === 'string' ? r.location : '',
    // A reading the server does not trust as current is not shown, whatever number it carries.
    status: temp === null ? 'no_data' : status,
    temp: status === 'no_data' ? null : temp,
    bandMin: numberOr(band.min_c),
    bandMax: numberOr(band.max_c),
    min1h: numberOr(r.min_c_1h),
    max1h: numberOr(r.max_c_1h),
  };
}

/**
 * The °C range a row draws: everything it shows (band, last hour, reading), at least 6 °C wide, with a
 * quarter of the span as air on each side so a marker at a band edge is not at the track's end. A band
 * open on one side (阴凉 ≤ 20 °C) extends to the track's end on that side.
 */
export function rowDomain(s: Pick<Sensor, 'temp' | 'bandMin' | 'bandMax' | 'min1h' | 'max1h'>): [number, number] {
  const known = [s.bandMin, s.bandMax, s.min1h, s.max1h, s.temp].filter((x): x is number => x !== null);
  if (known.length === 0) return [0, 10];
  let lo = Math.min(...known);
  let hi = Math.max(...known);
  if (hi - lo < 6) {
    const mid = (lo + hi) / 2;
    lo = mid - 3;
    hi = mid + 3;
  }
  const pad = (hi - lo) / 4;
  return [Math.floor(lo - pad), Math.ceil(hi + pad)];
}

/**
 * Storage temperatures against their allowed band, one row a sensor: the band shaded, the last hour's
 * min–max as a bar, the latest reading as a marker and as text (red when out of band, grey when the
 * sensor has no recent reading). Pure view; `data-shown` lists `[sensor_id, temp_c]` of each row shown.
 */
@customElement('rx-band')
export class RxBand extends RowCardElement<RxBandOptions, Sensor> {
  protected readonly rowPx = 58;
  protected readonly gapPx = 4;
  /** The listed sensors that fit the body. */
  private sensors: Sensor[] = [];

  // Untyped: `capacity` is a state of the base class, which PropertyValues<this> does not list.
  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('value') || changed.has('options')) {
      const opts = readOptions(RxBandOptions, this.options);
      this.listed = rowsAt(this.value, opts.items ?? '')
        .map(toSensor)
        .filter((s): s is Sensor => s !== null)
        .slice(0, opts.limit);
    }
    if (this.rowsChanged(changed)) this.sensors = this.fitRows((s) => [s.id, s.temp]);
  }

  protected override render(): TemplateResult {
    const lang = normalizeLang(this.lang);
    const loading = this.state === 'loading';
    // Counted over every listed sensor: one that did not fit still raises the count.
    const out = this.listed.filter((s) => s.status === 'out').length;
    const hidden = this.listed.length - this.sensors.length;
    const summary = !loading && this.sensors.length > 0
      ? html`<span class="summary ${out > 0 ? 'alarm' : ''}">${lang === 'en' ? `${out} out of band` : `超限 ${out}`}</span>`
      : nothing;
    const more = !loading && hidden > 0 ? html`<span class="more">${lang === 'en' ? `+${hidden} more` : `另 ${hidden} 个`}</span>` : nothing;
    const body = cardState(loading, this.sensors.length === 0, lang, rowSkeleton, () => html`<div class="rows">${this.sensors.map((s) => this.renderRow(s, lang))}</div>`);
    return cardFrame(this, lang, body, html`${summary}${more}`);
  }

  private renderRow(s: Sensor, lang: Lang): TemplateResult {
    const [lo, hi] = rowDomain(s);
    const x = (c: number): number => ((Math.min(Math.max(c, lo), hi) - lo) / (hi - lo)) * 100;
    const bandFrom = x(s.bandMin ?? lo);
    const bandTo = x(s.bandMax ?? hi);
    const noData = s.status === 'no_data';
    const reading = noData ? (lang === 'en' ? 'No data' : '无数据') : formatCelsius(s.temp as number, lang);
    // Locations read '<warehouse> <room>': the room is what tells rows of one warehouse apart, so it leads.
    const cut = s.location.indexOf(' ');
    const [site, room] = cut > 0 ? [s.location.slice(0, cut), s.location.slice(cut + 1)] : ['', s.location];
    const edge = (c: number | null): string => (c === null ? '' : formatCelsius(c, lang).replace(' °C', '°'));
    return html`
      <div class="row ${s.status}" part="row" data-sensor=${s.id}>
        <div class="name">
          <span class="loc">${room || s.id}</span>
          <span class="id">${site ? `${site} · ${s.id}` : s.id}</span>
        </div>
        <div class="scale">
          <svg viewBox="0 0 100 20" preserveAspectRatio="none" aria-hidden="true">
            ${svg`<rect class="track" x="0" y="8" width="100" height="4" rx="2"></rect>`}
            ${svg`<rect class="band" x=${bandFrom} y="2" width=${Math.max(bandTo - bandFrom, 0.5)} height="16"></rect>`}
            ${s.min1h !== null && s.max1h !== null
              ? svg`<rect class="range" x=${x(s.min1h)} y="7" width=${Math.max(x(s.max1h) - x(s.min1h), 0.6)} height="6" rx="1"></rect>`
              : nothing}
          </svg>
          ${!noData ? html`<span class="marker" style="left:${x(s.temp as number)}%"></span>` : nothing}
          <span class="edge" style="left:${bandFrom}%">${s.bandMin !== null ? edge(s.bandMin) : ''}</span>
          <span class="edge" style="left:${bandTo}%">${s.bandMax !== null ? edge(s.bandMax) : ''}</span>
        </div>
        <div class="reading" part="reading">${reading}</div>
      </div>
    `;
  }

  static override styles = [
    rowCardStyles,
    css`
      .body { overflow: hidden; }
      .summary { margin-left: auto; flex: none; font-size: 18px; color: #64748b; white-space: nowrap; }
      .more { flex: none; font-size: 16px; color: #64748b; white-space: nowrap; }
      .summary.alarm { color: #f87171; font-weight: 700; }
      .rows { display: flex; flex-direction: column; gap: 4px; }
      .row {
        display: grid;
        grid-template-columns: minmax(0, 1.15fr) minmax(0, 1fr) auto;
        align-items: center;
        gap: 16px;
        height: 58px;
        box-sizing: border-box;
        padding: 0 8px;
        border-bottom: 1px solid rgba(148, 163, 184, 0.1);
      }
      .name { display: flex; flex-direction: column; min-width: 0; line-height: 1.3; }
      .loc { font-size: 18px; color: #e2e8f0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
      .id { font-size: 16px; color: #64748b; font-variant-numeric: tabular-nums; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
      .scale { position: relative; height: 46px; }
      .scale svg { position: absolute; left: 0; right: 0; top: 0; width: 100%; height: 22px; overflow: visible; }
      .track { fill: rgba(148, 163, 184, 0.18); }
      .band { fill: rgba(34, 211, 238, 0.2); stroke: rgba(34, 211, 238, 0.55); stroke-width: 1; vector-effect: non-scaling-stroke; }
      .range { fill: #94a3b8; }
      .marker {
        position: absolute;
        top: 1px;
        width: 4px;
        height: 20px;
        margin-left: -2px;
        border-radius: 2px;
        background: #22d3ee;
        box-shadow: 0 0 8px rgba(34, 211, 238, 0.8);
      }
      .edge {
        position: absolute;
        top: 24px;
        transform: translateX(-50%);
        font-size: 16px;
        line-height: 18px;
        color: #7dd3fc;
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
      }
      .reading { min-width: 4.4em; font-size: 24px; font-weight: 700; color: #22d3ee; text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
      .row.out .reading { color: #f87171; }
      .row.out .marker { background: #ef4444; box-shadow: 0 0 10px rgba(239, 68, 68, 0.9); }
      .row.out .loc { color: #fecaca; }
      .row.out { background: rgba(239, 68, 68, 0.08); }
      .row.no_data .reading { color: #64748b; font-size: 20px; font-weight: 500; }
      .row.no_data .band { fill: rgba(148, 163, 184, 0.12); stroke: rgba(148, 163, 184, 0.35); }
      .row.no_data .edge { color: #64748b; }
      .skeleton { height: 40px; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'rx-band': RxBand;
  }
}
