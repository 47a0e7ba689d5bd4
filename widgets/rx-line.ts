import type { G2Spec } from '@antv/g2';
import { createLTTB } from 'downsample';
import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { cardEmpty, cardHead, cardStyles } from './card.js';
import { formatCount, normalizeLang, widgetText, type Lang, type WidgetState } from './format.js';
import { G2Chart, chartStageStyles } from './g2-chart.js';

/** One minute of the business day; `minute` is already in business time ('HH:MM'). */
export interface MinutePoint {
  minute: string;
  orders: number;
}

const FONT = '"Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei",sans-serif';
const MINUTE = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * Every minute of a day, '00:00'…'23:59'. A fixed ordinal domain keeps each minute at the same x
 * all day (the line grows left to right, gaps stay visible) and never involves Date, so the
 * browser's time zone cannot shift the axis.
 */
const DAY_MINUTES: readonly string[] = Array.from(
  { length: 1440 },
  (_, i) => `${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`,
);

/**
 * Keeps rows G2 can place (valid minute, finite count), in minute order. Sources send them sorted;
 * sorting only when they are not keeps the common path one pass over ≤1,440 rows.
 */
function drawableRows(points: readonly MinutePoint[]): MinutePoint[] {
  const rows = points.filter((p) => MINUTE.test(p.minute) && Number.isFinite(p.orders));
  const sorted = rows.every((p, i) => i === 0 || rows[i - 1].minute <= p.minute);
  return sorted ? rows : rows.sort((a, b) => (a.minute < b.minute ? -1 : a.minute > b.minute ? 1 : 0));
}

const thin = createLTTB<MinutePoint>({ x: (p) => minuteIndex(p.minute), y: 'orders' });

/**
 * At most `max` of the rows, chosen by largest-triangle-three-buckets: real minutes (never averages), the
 * first and the last always among them, peaks and dips kept. A day of minutes in a chart a few hundred pixels
 * wide draws the same line from a third of its points, and a G2 pass costs about its points: a full day
 * redrawn every second would otherwise spend most of a 50 ms frame budget.
 */
export function thinRows(rows: MinutePoint[], max: number): MinutePoint[] {
  return rows.length <= max ? rows : (thin(rows, max) as MinutePoint[]);
}

/** Points drawn per line: one per 2 px of plot width (the plot is the box less the 104 px of padding). */
export function pointsFor(widthPx: number): number {
  return Math.max(60, Math.floor((widthPx - 104) / 2));
}

/**
 * The top of the y axis: the first of 1, 2, 2.5, 5 × 10^k at or above the day's largest count (at least 1,
 * so an all-zero night is not the empty domain [0, 0]). It moves only when the day passes it, so the axis
 * layer is redrawn a few times a day, not at every update.
 */
export function yTop(max: number): number {
  if (!(max > 1)) return 1;
  const pow = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= max) return m * pow;
  return 10 * pow;
}

const minuteIndex = (minute: string): number => Number(minute.slice(0, 2)) * 60 + Number(minute.slice(3, 5));

/** The live layer holds the minutes from the last block boundary on (see settledCount). */
const BLOCK_MINUTES = 30;
/** Minutes a minute is given to settle (late events, the push's delay) before it moves to the base layer. */
const SETTLE_MINUTES = 2;

/**
 * How many of `rows` (sorted) the base layer draws: those before the latest block boundary at least
 * SETTLE_MINUTES behind the last row. They are complete, so the base layer is redrawn about once per block,
 * and the live layer, redrawn every few seconds, holds at most BLOCK_MINUTES + SETTLE_MINUTES + 1 points.
 */
export function settledCount(rows: readonly MinutePoint[]): number {
  if (rows.length === 0) return 0;
  const boundary = Math.floor((minuteIndex(rows[rows.length - 1].minute) - SETTLE_MINUTES) / BLOCK_MINUTES) * BLOCK_MINUTES;
  let k = 0;
  while (k < rows.length && minuteIndex(rows[k].minute) < boundary) k++;
  return k;
}

/**
 * Today's area fill. G spreads a gradient over the shape's own box (from its highest point down to the
 * baseline), and today's area is drawn in two layers: each one's top colour is what a single gradient over
 * the whole y axis (top → baseline) gives at that layer's highest point, so the two meet without a seam.
 * Rounded to 1 %, so G sees few distinct gradient strings. G's gradient angles are not CSS's: 0deg points
 * right, 90deg points down (top → bottom).
 */
export function areaFill(rows: readonly MinutePoint[], top: number): string {
  const alpha = (v: number) => (0.02 + 0.44 * Math.min(1, Math.max(0, v / top))).toFixed(2);
  return `linear-gradient(90deg, rgba(34,211,238,${alpha(maxOrders(rows))}) 0%, rgba(34,211,238,0.02) 100%)`;
}

function maxOrders(rows: readonly MinutePoint[]): number {
  let max = 0;
  for (const p of rows) if (p.orders > max) max = p.orders;
  return max;
}

/** Minutes between x labels: 2 h on a wall-wide chart, wider steps when the box is narrow. */
export function tickStepFor(widthPx: number): number {
  const minLabelGapPx = 90; // an 'HH:MM' label at 16px is ~45px wide; keep as much air between labels
  for (const step of [120, 180, 240, 360, 720]) {
    if ((widthPx * step) / 1440 >= minLabelGapPx) return step;
  }
  return 1440;
}

/** Today's area and line, the same in both layers (the area's fill is set per layer: see areaFill). */
function todayMarks(): [G2Spec & { style: object }, G2Spec] {
  const encode = { x: 'minute', y: 'orders' };
  return [
    { type: 'area', encode, animate: false, style: {} },
    { type: 'line', encode, animate: false, style: { stroke: '#22d3ee', lineWidth: 2, shadowColor: 'rgba(34,211,238,0.6)', shadowBlur: 8 } },
  ];
}

/**
 * Orders per minute over the business day, drawn with G2 5.
 *
 * The chart is created once per connection and fed with `changeData`; property changes within one
 * animation frame fold into one render, and G2 itself folds a render requested while one is running
 * into a single trailing render with the latest data.
 */
@customElement('rx-line')
export class RxLine extends LitElement {
  @property() label = '';
  @property({ attribute: false }) points: readonly MinutePoint[] = [];
  /** A comparison day (yesterday to the same minute, or whole), drawn as a dashed grey line under today. */
  @property({ attribute: false }) compare: readonly MinutePoint[] | null = null;
  @property({ reflect: true }) override lang: Lang = 'zh-CN';
  @property({ reflect: true }) state: WidgetState = 'loading';

  @query('.plot.live', true) private plot!: HTMLDivElement;
  @query('.plot.base', true) private basePlot!: HTMLDivElement;

  private tickStep = 120;
  /** Points drawn per line for the current width (see pointsFor). */
  private maxPoints = 1440;
  /** `points` cleaned for drawing; recomputed only when `points` changes. */
  private rows: MinutePoint[] = [];
  private compareRows: MinutePoint[] = [];
  /** Counts changes of the comparison: each one re-specifies the chart (rare: yesterday is settled). */
  private compareVersion = 0;
  /** Today's rows the base layer draws (settledCount): complete minutes, changing about once per block. */
  private settled: MinutePoint[] = [];
  /** Today's rows the live layer draws: the last settled row (so the line joins) and every row after it. */
  private recent: MinutePoint[] = [];
  /** The y axis top of both layers (see yTop). */
  private top = 1;
  /**
   * Two G2 charts stacked in one box with the same paddings and scales. The base layer (axes, grid,
   * yesterday's line and today's settled minutes) changes about once per half hour; the live layer (today's
   * last half hour or so, and the current-minute dot) at every redraw. A G2 pass costs about the marks, axes
   * and points it holds: the live pass draws ~30 points and no axis, a few ms, where one chart holding a day
   * took ~25 ms, which with a garbage collection inside it could pass the 50 ms a frame may take.
   */
  private readonly baseLayer = new G2Chart(this, {
    name: 'rx-line base',
    plot: () => this.basePlot,
    ready: () => this.rows.length > 0 || this.compareRows.length > 0,
    beforeDraw: () => this.measure(),
    specKey: () => `${this.maxPoints}/${this.tickStep}/${this.lang}`,
    spec: () => this.baseSpec(),
    data: () => [], // every mark has its own data, set below
    // New data and a new y top go in as options of the same marks (G2 merges them), not as a new spec.
    beforeChangeData: (chart) => chart.options({ scale: { y: this.yScale() }, children: this.baseMarksData() }),
  });
  private readonly liveLayer = new G2Chart(this, {
    name: 'rx-line',
    plot: () => this.plot,
    ready: () => this.rows.length > 0,
    beforeDraw: () => this.measure(),
    specKey: () => String(this.maxPoints),
    spec: () => this.liveSpec(),
    data: () => this.recent,
    beforeChangeData: (chart) => chart.options({ scale: { y: this.yScale() }, children: [{ style: { fill: areaFill(this.recent, this.top) } }] }),
    // A second of new orders moves the line by a pixel at its last minute: the line is redrawn every 5 s,
    // the current minute's count in the header (plain DOM) at every update.
    minDataIntervalMs: 5_000,
  });
  /** The y top when the live layer was last scheduled. */
  private scheduledTop = 1;
  /** The base layer's key when it was last scheduled: it is drawn again only when that changes. */
  private scheduledBaseKey = '';

  private measure(): void {
    this.tickStep = tickStepFor(this.plot.clientWidth);
    this.maxPoints = pointsFor(this.plot.clientWidth);
  }

  /** What the base layer shows besides its size: it is scheduled again only when this changes. */
  private baseKey(): string {
    const drawable = this.rows.length > 0 || this.compareRows.length > 0;
    let sum = 0;
    for (const p of this.settled) sum += p.orders; // a late event for a settled minute redraws it
    return `${drawable}/${this.compareVersion}/${this.top}/${this.lang}/${this.settled.length}/${sum}`;
  }

  private yScale(): { type: 'linear'; domainMin: number; domainMax: number; nice: boolean } {
    return { type: 'linear', domainMin: 0, domainMax: this.top, nice: false };
  }

  /** Yesterday, thinned; without one, a single transparent point (the axes still need a mark). */
  private compareData(): MinutePoint[] {
    return this.compareRows.length > 0 ? thinRows(this.compareRows, this.maxPoints) : [{ minute: '00:00', orders: 0 }];
  }

  /** The base layer's marks' data, in the order of baseSpec's children: yesterday, today's area and line. */
  private baseMarksData(): G2Spec[] {
    // Thinned in proportion to the part of the day they span, so the density matches the live layer's.
    const last = this.settled.at(-1);
    const today = last ? thinRows(this.settled, Math.ceil((this.maxPoints * (minuteIndex(last.minute) + 1)) / 1440) + 2) : [];
    return [
      { data: this.compareData(), style: { strokeOpacity: this.compareRows.length > 0 ? 0.55 : 0 } },
      { data: today, style: { fill: areaFill(today, this.top) } },
      { data: today },
    ] as G2Spec[];
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('compare')) {
      this.compareRows = this.compare ? drawableRows(this.compare) : [];
      this.compareVersion += 1;
      this.top = yTop(Math.max(maxOrders(this.rows), maxOrders(this.compareRows)));
    }
    if (changed.has('points')) {
      this.rows = drawableRows(this.points);
      const k = settledCount(this.rows);
      this.settled = this.rows.slice(0, k);
      this.recent = this.rows.slice(Math.max(0, k - 1));
      this.top = yTop(Math.max(maxOrders(this.rows), maxOrders(this.compareRows)));
      // What is drawn, for tests and diagnostics: point count and last minute.
      this.setAttribute('data-points', String(this.rows.length));
      this.setAttribute('data-last', this.rows.at(-1)?.minute ?? '');
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    // The live layer waits 5 s between draws, except for a new y top: the base layer's axis shows it at once.
    const topMoved = this.top !== this.scheduledTop;
    this.scheduledTop = this.top;
    if (changed.has('points') || topMoved) this.liveLayer.schedule('data', topMoved);
    // lang changes the y labels, which G2 formats inside the canvas (part of the base key).
    const baseKey = this.baseKey();
    if (baseKey !== this.scheduledBaseKey) {
      this.scheduledBaseKey = baseKey;
      this.baseLayer.schedule('data');
    }
  }

  /** What both layers share: box, paddings and scales, so their marks and axes line up to the pixel. */
  private frame(): G2Spec {
    return {
      type: 'view',
      autoFit: true,
      paddingLeft: 72, paddingRight: 32, paddingTop: 16, paddingBottom: 40, // fixed: no jumps as labels grow
      scale: {
        x: { type: 'point', domain: [...DAY_MINUTES], range: [0, 1] },
        y: this.yScale(),
      },
      legend: false,
      tooltip: false,
      interaction: { tooltip: false },
    };
  }

  private baseSpec(): G2Spec {
    // The dark theme draws labels at 45% opacity: too faint across a room.
    const axisText = { labelFill: '#94a3b8', labelOpacity: 1, labelFontSize: 16, labelFontFamily: FONT };
    const [yesterday, todayArea, todayLine] = this.baseMarksData() as Array<{ data: MinutePoint[]; style?: object }>;
    const [area, line] = todayMarks();
    return {
      ...this.frame(),
      axis: {
        x: {
          ...axisText,
          title: false, grid: false, tick: false, line: true, lineStroke: '#334155', lineStrokeOpacity: 1,
          // Ticks are the domain strings themselves; keep whole hours on the current step.
          tickFilter: (minute: string) => minute.endsWith(':00') && (Number(minute.slice(0, 2)) * 60) % this.tickStep === 0,
          labelAutoHide: true,
        },
        y: {
          ...axisText,
          title: false, tickCount: 4, tick: false, line: false,
          grid: true, gridStroke: '#94a3b8', gridStrokeOpacity: 0.22, gridLineWidth: 1, gridLineDash: [4, 6],
          // Orders are whole: on a quiet night d3 would offer 0.5 steps, which would print twice.
          tickFilter: (v: number) => Number.isInteger(v),
          labelFormatter: (v: number) => formatCount(v, normalizeLang(this.lang)),
          labelAutoHide: true,
        },
      },
      children: [
        {
          // Yesterday, dashed grey under today (transparent when there is none: the axes still need a mark).
          type: 'line',
          data: yesterday.data,
          encode: { x: 'minute', y: 'orders' },
          animate: false,
          style: { stroke: '#94a3b8', lineWidth: 1.5, lineDash: [6, 4], ...yesterday.style },
        },
        { ...area, data: todayArea.data, style: { ...area.style, ...todayArea.style } },
        { ...line, data: todayLine.data },
      ],
    };
  }

  private liveSpec(): G2Spec {
    const [area, line] = todayMarks();
    return {
      ...this.frame(),
      data: this.recent,
      axis: false,
      children: [
        { ...area, style: { ...area.style, fill: areaFill(this.recent, this.top) } },
        line,
        {
          // The current minute as a gold dot; a mark transform, so changeData keeps it. It also
          // makes a single minute of data visible, which a line cannot draw.
          type: 'point',
          encode: { x: 'minute', y: 'orders', size: 4 },
          transform: [{ type: 'selectX', selector: 'last' }],
          animate: false,
          style: { fill: '#fbbf24', fillOpacity: 1, stroke: '#fef3c7', lineWidth: 1.5, shadowColor: '#fbbf24', shadowBlur: 12 },
        },
      ],
    };
  }

  protected override render(): TemplateResult {
    const lang = normalizeLang(this.lang);
    const text = widgetText(lang);
    const rows = this.rows;
    const last = rows.length > 0 ? rows[rows.length - 1] : undefined;
    const empty = rows.length === 0;
    return html`
      <div class="frame">
        ${cardHead(
          this.label,
          this.state,
          lang,
          html`${this.compareRows.length > 0
            ? html`<span class="legend"><i class="today"></i>${this.lang === 'en' ? 'Today' : '今日'}<i class="cmp"></i>${this.lang === 'en' ? 'Yesterday' : '昨日'}</span>`
            : nothing}
          ${last ? html`<span class="latest">${last.minute}<b>${formatCount(last.orders, lang)}</b></span>` : nothing}`,
        )}
        <div class="body">
          <div class="stage ${empty ? 'hidden' : ''}">
            <div class="layer"><div class="plot base" part="axes"></div></div>
            <div class="layer"><div class="plot live" part="plot"></div></div>
          </div>
          ${empty ? cardEmpty(lang, this.state === 'loading' ? text.loading : text.noData) : nothing}
        </div>
      </div>
    `;
  }

  static override styles = [
    cardStyles,
    chartStageStyles,
    css`
      .label { font-size: var(--rx-line-label-size, 22px); }
      .layer { position: absolute; inset: 0; }
      /* The badge may shrink here (flex: initial), unlike other cards'. */
      .badge { flex: 0 1 auto; }
      .legend { margin-left: auto; display: flex; align-items: center; gap: 8px; font-size: 16px; color: #94a3b8; white-space: nowrap; }
      .legend i { display: inline-block; width: 22px; height: 0; border-top: 2px solid #22d3ee; margin-left: 10px; }
      .legend i.cmp { border-top: 2px dashed #94a3b8; }
      .legend + .latest { margin-left: 16px; }
      .latest { margin-left: auto; font-size: 16px; color: #64748b; font-variant-numeric: tabular-nums; white-space: nowrap; }
      .latest b { margin-left: 10px; font-size: 26px; color: #fbbf24; font-weight: 700; }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'rx-line': RxLine;
  }
}
