import type { G2Spec } from '@antv/g2';
import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, query } from 'lit/decorators.js';
import { CardElement, boardCardStyles, cardHead, cardState, dialSkeletonStyles } from './card.js';
import { formatPercent, formatValue, normalizeLang, numberOf, valueAt, type Lang, type ValueFormat } from './format.js';
import { G2Chart } from './g2-chart.js';
import { LABEL_SETS, labelOf } from './labels.js';
import { RxRingOptions } from './options.js';

export { RxRingOptions };

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
export class RxRing extends CardElement<RxRingOptions> {
  @query('.plot', true) private plot!: HTMLDivElement;

  private slices: Slice[] = [];
  private total = 0;
  private readonly g2 = new G2Chart(this, {
    name: 'rx-ring',
    plot: () => this.plot,
    ready: () => this.total > 0,
    // One spec for the chart's life: new slices and colours go through changeData.
    specKey: () => 'ring',
    spec: () => this.spec(this.slices),
    data: () => this.slices,
  });

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.drawnChanged(changed)) {
      this.slices = this.state === 'loading' ? [] : slicesOf(this.value, this.o, normalizeLang(this.lang));
      this.total = this.slices.reduce((n, s) => n + s.y, 0);
      this.setShown(this.state === 'loading' ? null : this.slices.map((s) => [s.name, s.y]));
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this.drawnChanged(changed)) this.g2.schedule('data');
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
    const empty = this.total <= 0;
    const format = (n: number): string => formatValue(this.o.format as ValueFormat | undefined, n, lang);
    return html`
      <div class="frame">
        ${cardHead(this.label, this.state, lang)}
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
          ${cardState(this.state === 'loading', empty, lang, html`<div class="skeleton" part="skeleton"><i class="ring-sk"></i><i class="list-sk"></i></div>`, () => nothing)}
        </div>
      </div>
    `;
  }

  static override styles = [
    boardCardStyles,
    dialSkeletonStyles,
    css`
      .body { container-type: size; }
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
      .ring-sk { height: 86%; }
      .list-sk { flex: 1; height: 60%; }
      @media (prefers-reduced-motion: reduce) {
        .content { transition: none; }
      }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'rx-ring': RxRing;
  }
}
