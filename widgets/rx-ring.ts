import { Chart, type G2Spec } from '@antv/g2';
import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { Type, type Static } from 'typebox';
import {
  VALUE_FORMATS,
  formatPercent,
  formatValue,
  normalizeLang,
  numberOf,
  valueAt,
  widgetText,
  type Lang,
  type ValueFormat,
  type WidgetState,
} from './format.js';
import { LABEL_SETS, labelOf, type LabelSet } from './labels.js';

/** A string enum whose TypeScript type is the union of its values (TypeBox infers `never` from a mapped array). */
const oneOf = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>(Type.Union(values.map((v) => Type.Literal(v)), description ? { description } : {}));

const LocalText = Type.Object({ 'zh-CN': Type.String(), en: Type.String() }, { additionalProperties: false });

/** Options of <rx-ring> in a screen file. */
export const RxRingOptions = Type.Object(
  {
    items: Type.Optional(Type.String({ description: 'dot path to the array (or object) inside the value; default: the value itself' })),
    x: Type.Optional(Type.String({ description: 'field naming each slice (rows of an array)' })),
    y: Type.Optional(Type.String({ description: 'numeric field of each slice (rows of an array)' })),
    fields: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: 'numeric fields of an object value, one slice each' })),
    fieldLabels: Type.Optional(Type.Record(Type.String(), LocalText, { description: 'display names of `fields`' })),
    format: Type.Optional(oneOf(VALUE_FORMATS)),
    labels: Type.Optional(oneOf(Object.keys(LABEL_SETS) as LabelSet[])),
  },
  { additionalProperties: false },
);
export type RxRingOptions = Static<typeof RxRingOptions>;

const PALETTE = ['#22d3ee', '#fbbf24', '#a78bfa', '#34d399', '#f472b6', '#60a5fa', '#fb923c', '#e2e8f0', '#94a3b8'];
const OTHER = { 'zh-CN': '其他', en: 'Other' } as const;
const TOTAL = { 'zh-CN': '合计', en: 'Total' } as const;
/** Slices beyond this many fold into one "Other" slice, so the legend stays readable. */
const MAX_SLICES = 8;

interface Slice {
  key: string;
  name: string;
  y: number;
  color: string;
}

/** The slices of a value: array rows by x/y, or an object's `fields`; negative and non-numbers left out. */
export function slicesOf(value: unknown, o: RxRingOptions, lang: Lang): Slice[] {
  const at = valueAt(value, o.items);
  let raw: Array<{ key: string; name: string; y: number }> = [];
  if (o.fields && at !== null && typeof at === 'object' && !Array.isArray(at)) {
    const obj = at as Record<string, unknown>;
    for (const f of o.fields) {
      const y = numberOf(obj[f]);
      if (y !== null && y >= 0) raw.push({ key: f, name: o.fieldLabels?.[f]?.[lang] ?? f, y });
    }
  } else if (Array.isArray(at) && o.x && o.y) {
    const dict = o.labels ? LABEL_SETS[o.labels] : undefined;
    for (const row of at) {
      if (row === null || typeof row !== 'object') continue;
      const r = row as Record<string, unknown>;
      const y = numberOf(r[o.y]);
      const code = r[o.x];
      if (y === null || y < 0 || (typeof code !== 'string' && typeof code !== 'number')) continue;
      raw.push({ key: String(code), name: labelOf(dict, String(code), lang), y });
    }
  }
  if (raw.length > MAX_SLICES) {
    const sorted = [...raw].sort((a, b) => b.y - a.y);
    const rest = sorted.slice(MAX_SLICES - 1).reduce((n, s) => n + s.y, 0);
    raw = [...sorted.slice(0, MAX_SLICES - 1), { key: '__other', name: OTHER[lang], y: rest }];
  }
  return raw.map((s, i) => ({ ...s, color: PALETTE[i % PALETTE.length] }));
}

/**
 * Shares of a whole as a ring (G2 interval in a theta coordinate) with a legend of names, exact
 * percentages (integers, formatPercent) and values: GMV by category or channel, new vs returning buyers.
 */
@customElement('rx-ring')
export class RxRing extends LitElement {
  @property() label = '';
  @property({ reflect: true }) override lang: Lang = 'zh-CN';
  @property({ reflect: true }) state: WidgetState = 'loading';
  @property({ attribute: false }) value: unknown = null;
  @property({ attribute: false }) options: Record<string, unknown> = {};

  @query('.plot', true) private plot!: HTMLDivElement;

  private chart: Chart | null = null;
  private specified = false;
  private frame = 0;
  private dataDirty = false;
  private fitDirty = false;
  private resizeObserver: ResizeObserver | null = null;
  private slices: Slice[] = [];
  private total = 0;

  private get o(): RxRingOptions {
    return (this.options ?? {}) as RxRingOptions;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated && !this.chart) this.createChart();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.resizeObserver?.disconnect();
    this.resizeObserver = null;
    this.chart?.destroy();
    this.chart = null;
  }

  protected override firstUpdated(): void {
    this.createChart();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('value') || changed.has('options') || changed.has('lang') || changed.has('state')) {
      this.slices = this.state === 'loading' ? [] : slicesOf(this.value, this.o, normalizeLang(this.lang));
      this.total = this.slices.reduce((n, s) => n + s.y, 0);
      if (this.state === 'loading') this.removeAttribute('data-shown');
      else this.setAttribute('data-shown', JSON.stringify(this.slices.map((s) => [s.name, s.y])));
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('value') || changed.has('options') || changed.has('lang') || changed.has('state')) this.schedule('data');
  }

  private createChart(): void {
    this.chart = new Chart({ container: this.plot, autoFit: true, theme: 'classicDark' });
    this.specified = false;
    this.resizeObserver = new ResizeObserver(() => this.schedule('fit'));
    this.resizeObserver.observe(this.plot);
    this.schedule('data');
  }

  private schedule(what: 'data' | 'fit'): void {
    if (what === 'data') this.dataDirty = true;
    else this.fitDirty = true;
    if (this.frame !== 0 || !this.chart) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const chart = this.chart;
    if (!chart || this.total <= 0) return;
    const { dataDirty, fitDirty } = this;
    this.dataDirty = this.fitDirty = false;
    let done: Promise<unknown>;
    if (!this.specified) {
      chart.options(this.spec(this.slices));
      this.specified = true;
      done = chart.render();
    } else if (dataDirty) {
      done = chart.changeData(this.slices) ?? Promise.resolve();
    } else if (fitDirty) {
      done = chart.forceFit();
    } else {
      return;
    }
    done.catch((error: unknown) => console.error('rx-ring: chart render failed', error));
  }

  private spec(slices: Slice[]): G2Spec {
    return {
      type: 'interval',
      data: slices,
      autoFit: true,
      animate: false,
      padding: 6,
      coordinate: { type: 'theta', innerRadius: 0.74, outerRadius: 0.98 },
      // The colour rides on the datum (`color` field, identity scale): legend and ring always agree.
      encode: { y: 'y', color: 'color' },
      transform: [{ type: 'stackY' }],
      scale: { color: { type: 'identity' } },
      style: { stroke: '#071329', lineWidth: 2, radius: 2 },
      legend: false,
      tooltip: false,
      interaction: { tooltip: false },
    } as G2Spec;
  }

  protected override render(): TemplateResult {
    const lang = normalizeLang(this.lang);
    const text = widgetText(lang);
    const loading = this.state === 'loading';
    const empty = this.total <= 0;
    const format = (n: number): string => formatValue(this.o.format as ValueFormat | undefined, n, lang);
    return html`
      <div class="frame">
        <div class="head">
          <span class="label">${this.label}</span>
          ${this.state === 'stale' ? html`<span class="badge">${text.stale}</span>` : nothing}
        </div>
        <div class="body">
          <div class="content ${empty ? 'hidden' : ''}">
            <div class="pie">
              <div class="stage"><div class="plot" part="plot"></div></div>
              <div class="center" part="total">
                <span class="tk">${TOTAL[lang]}</span>
                <span class="tv">${empty ? '' : format(this.total)}</span>
              </div>
            </div>
            <ul class="legend" part="legend">
              ${empty
                ? nothing
                : this.slices.map(
                    (s) => html`<li>
                      <i style="background:${s.color}"></i>
                      <span class="name" title=${s.name}>${s.name}</span>
                      <span class="pct">${formatPercent(s.y, this.total, lang)}</span>
                      <span class="val">${format(s.y)}</span>
                    </li>`,
                  )}
            </ul>
          </div>
          ${loading
            ? html`<div class="skeleton" part="skeleton"><i class="ring-sk"></i><i class="list-sk"></i></div>`
            : empty
              ? html`<div class="empty" part="empty">${text.noData}</div>`
              : nothing}
        </div>
      </div>
    `;
  }

  static override styles = css`
    :host {
      display: block;
      height: 100%;
      min-height: 200px;
      box-sizing: border-box;
      font-family: var(--rx-font, 'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif);
      color: #cbd5e1;
    }
    .frame {
      height: 100%; box-sizing: border-box; display: flex; flex-direction: column; padding: 16px 20px 12px;
      background: linear-gradient(180deg, rgba(14, 42, 84, 0.5), rgba(5, 14, 34, 0.3));
      border: 1px solid rgba(34, 211, 238, 0.16); border-radius: 4px;
    }
    .head { display: flex; align-items: center; gap: 12px; min-width: 0; min-height: 34px; }
    .label {
      font-size: 22px; letter-spacing: 0.06em; color: #e2e8f0; padding-left: 12px; border-left: 4px solid #22d3ee;
      line-height: 1.35; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
    }
    .badge { flex: none; font-size: 18px; padding: 0 8px; border: 1px solid rgba(251, 191, 36, 0.6); border-radius: 3px; color: #fbbf24; }
    .body { position: relative; flex: 1; min-height: 0; margin-top: 8px; container-type: size; }
    /* Ring beside the legend when the box is wide, above it when it is tall. */
    .content { position: absolute; inset: 0; display: flex; align-items: center; gap: 20px; transition: opacity 0.4s; }
    .content.hidden { visibility: hidden; }
    :host([state='stale']) .content { opacity: 0.4; filter: grayscale(0.7); }
    .pie { position: relative; flex: none; height: 100%; aspect-ratio: 1; max-width: 50%; container-type: inline-size; }
    @container (max-aspect-ratio: 1/1) {
      .content { flex-direction: column; align-items: stretch; }
      .pie { height: auto; width: 100%; max-width: none; max-height: 55%; align-self: center; }
    }
    @container (max-width: 380px) and (min-aspect-ratio: 1/1) {
      .content { gap: 10px; }
      .pie { max-width: 42%; }
      .legend li { column-gap: 6px; }
      .pct { min-width: 3.6em; }
    }
    .stage { position: absolute; inset: 0; overflow: hidden; }
    .plot { width: 100%; height: 100%; }
    .center {
      position: absolute; inset: 0; display: flex; flex-direction: column; align-items: center; justify-content: center;
      pointer-events: none; text-align: center;
    }
    .tk { font-size: 18px; color: #94a3b8; }
    .tv {
      font-size: clamp(18px, 9cqi, 36px); font-weight: 700; color: #fbbf24; white-space: nowrap;
      font-variant-numeric: tabular-nums; max-width: 70%; overflow: hidden; text-overflow: ellipsis;
    }
    .legend {
      container-type: inline-size;
      list-style: none; margin: 0; padding: 0; flex: 1; min-width: 0; min-height: 0; overflow: hidden;
      display: flex; flex-direction: column; justify-content: center; gap: 6px;
    }
    .legend li {
      display: grid; grid-template-columns: 14px minmax(3em, 1fr) auto auto; align-items: center; column-gap: 10px;
      font-size: 18px; line-height: 1.45; white-space: nowrap; font-variant-numeric: tabular-nums;
    }
    .legend i { width: 14px; height: 14px; border-radius: 3px; }
    .name { color: #e2e8f0; overflow: hidden; text-overflow: ellipsis; }
    .pct { color: #22d3ee; text-align: right; min-width: 4.2em; }
    .val { color: #fbbf24; text-align: right; min-width: 5.6em; }
    /* A narrow legend keeps names and shares; the amounts go first (the ring centre has the total). */
    @container (max-width: 330px) {
      .legend li { grid-template-columns: 14px minmax(3em, 1fr) auto; }
      .val { display: none; }
    }
    .empty { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; font-size: 24px; letter-spacing: 0.2em; color: #475569; }
    .skeleton { position: absolute; inset: 0; display: flex; align-items: center; gap: 24px; }
    .skeleton i {
      display: block; border-radius: 8px;
      background: linear-gradient(90deg, rgba(148, 163, 184, 0.08) 25%, rgba(148, 163, 184, 0.2) 50%, rgba(148, 163, 184, 0.08) 75%);
      background-size: 200% 100%; animation: shimmer 1.6s linear infinite;
    }
    .ring-sk { height: 86%; aspect-ratio: 1; border-radius: 50% !important; }
    .list-sk { flex: 1; height: 60%; }
    @keyframes shimmer { from { background-position: 100% 0; } to { background-position: -100% 0; } }
    @media (prefers-reduced-motion: reduce) {
      .content { transition: none; }
      .skeleton i { animation: none; }
    }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'rx-ring': RxRing;
  }
}
