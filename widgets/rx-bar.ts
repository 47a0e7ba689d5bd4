import type { G2Spec } from '@antv/g2';
import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, query } from 'lit/decorators.js';
import { CardElement, boardCardStyles, cardHead, cardState, shimmer } from './card.js';
import { formatValue, normalizeLang, numberOf, valueAt, type Lang, type ValueFormat } from './format.js';
import { G2Chart, chartStageStyles } from './g2-chart.js';
import { LABEL_SETS, labelOf } from './labels.js';
import { RxBarOptions } from './options.js';

export { RxBarOptions };

const FONT = '"Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei",sans-serif';
/** Series colours: cyan first (the house accent), then distinct hues that read on navy. */
const PALETTE = ['#22d3ee', '#fbbf24', '#a78bfa', '#34d399', '#f472b6', '#60a5fa', '#fb923c', '#94a3b8'];
/** Axis and value labels, px: readable across a room. */
const LABEL_PX = 18;
/** Longest category label, px, before it is cut with an ellipsis. */
const MAX_LABEL_PX = 150;
/** Labels are turned this much when they do not fit flat under their bar. */
const ROTATE_DEG = 35;

/** One drawable bar (a bar segment when there is a series). */
interface Bar {
  /** Category code, unique per category, and its display name. */
  x: string;
  name: string;
  y: number;
  s: string;
}

/** Estimated width at LABEL_PX of Noto Sans CJK: a CJK character is 1 em, Latin letters and digits about 0.58 em. */
export function textPx(text: string): number {
  let em = 0;
  for (const ch of text) em += ch.codePointAt(0)! >= 0x2e80 ? 1 : ch === ' ' ? 0.3 : 0.58;
  return em * LABEL_PX;
}

/** Cuts text to `px` (estimated), ending with an ellipsis when cut. */
export function ellipsis(text: string, px: number): string {
  if (textPx(text) <= px) return text;
  const chars = [...text];
  while (chars.length > 1 && textPx(`${chars.join('')}…`) > px) chars.pop();
  return `${chars.join('')}…`;
}

/** The bars of a value under the options: invalid rows skipped, `limit` largest kept, in value order. */
export function barsOf(value: unknown, o: RxBarOptions, lang: Lang): Bar[] {
  const items = valueAt(value, o.items);
  if (!Array.isArray(items) || !o.x || !o.y) return [];
  const dict = o.labels ? LABEL_SETS[o.labels] : undefined;
  const sdict = o.seriesLabels ? LABEL_SETS[o.seriesLabels] : undefined;
  let bars: Bar[] = [];
  for (const row of items) {
    if (row === null || typeof row !== 'object') continue;
    const r = row as Record<string, unknown>;
    const y = numberOf(r[o.y]);
    const code = r[o.x] ?? (o.xFallback ? r[o.xFallback] : null);
    if (y === null || (typeof code !== 'string' && typeof code !== 'number')) continue;
    const x = String(code);
    const s = o.series ? String(r[o.series] ?? '') : '';
    bars.push({ x, name: labelOf(dict, x, lang), y, s: o.series ? labelOf(sdict, s, lang) : '' });
  }
  if (o.limit && !o.series && bars.length > o.limit) {
    // Largest first; ties keep the order of the value (Array.prototype.sort is stable).
    bars = [...bars].sort((a, b) => b.y - a.y).slice(0, o.limit);
  }
  return bars;
}

/**
 * Bars or columns of one numeric field by category, drawn with G2 5 (interval mark): GMV by channel,
 * backlog by age, picks per hour and warehouse (series), stock value by warehouse…
 *
 * Created once per connection, fed with changeData; changes within a frame fold into one render.
 */
@customElement('rx-bar')
export class RxBar extends CardElement<RxBarOptions> {
  @query('.plot', true) private plot!: HTMLDivElement;

  private bars: Bar[] = [];
  private readonly g2 = new G2Chart(this, {
    name: 'rx-bar',
    plot: () => this.plot,
    ready: () => this.bars.length > 0,
    // Everything the spec's layout reads besides the values themselves: categories and their names, series,
    // the box, and (in 20 px steps) the widest value label. Only pure value changes go through changeData.
    specKey: () => {
      const lang = normalizeLang(this.lang);
      const widest = Math.max(...this.bars.map((bar) => textPx(formatValue(this.o.format as ValueFormat | undefined, bar.y, lang))));
      return JSON.stringify([this.o, lang, this.plot.clientWidth, this.plot.clientHeight, this.bars.map((bar) => [bar.x, bar.name, bar.s]), Math.ceil(widest / 20)]);
    },
    spec: () => this.spec(this.bars),
    data: () => this.bars,
  });

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.drawnChanged(changed)) {
      this.bars = this.state === 'loading' ? [] : barsOf(this.value, this.o, normalizeLang(this.lang));
      this.setShown(this.state === 'loading' ? null : this.bars.map((b) => [this.o.series ? `${b.name} · ${b.s}` : b.name, b.y]));
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this.drawnChanged(changed)) this.g2.schedule('data');
  }

  /** Series names in order of first appearance, with their colours (the DOM legend and G2 share them). */
  private seriesColors(): Array<[string, string]> {
    const names = [...new Set(this.bars.map((b) => b.s))];
    return names.map((n, i) => [n, PALETTE[i % PALETTE.length]]);
  }

  private spec(bars: Bar[]): G2Spec {
    const o = this.o;
    const lang = normalizeLang(this.lang);
    const horizontal = o.orientation === 'horizontal';
    const format = (n: number): string => formatValue(o.format as ValueFormat | undefined, n, lang);
    const names = new Map(bars.map((b) => [b.x, b.name]));
    const categories = [...names.keys()];
    const width = this.plot.clientWidth;
    const height = this.plot.clientHeight;
    // Room per category along the category axis decides how labels are laid out, never G2's guesswork:
    // flat when the longest fits, else turned by ROTATE_DEG and cut; every k-th one when even that is crowded.
    const perBar = (horizontal ? height : width - 90) / Math.max(categories.length, 1);
    const longest = Math.max(...[...names.values()].map(textPx));
    const flat = horizontal || longest <= perBar - 8;
    const step = Math.max(1, Math.ceil((horizontal ? 24 : flat ? 0 : 26) / perBar));
    const budget = horizontal ? Math.min(MAX_LABEL_PX, width * 0.3) : flat ? perBar : MAX_LABEL_PX;
    const shown = new Map([...names].map(([code, name]) => [code, ellipsis(name, budget)]));
    const labelPx = Math.max(...[...shown.values()].map(textPx));
    const rad = (ROTATE_DEG * Math.PI) / 180;
    const bottom = horizontal ? 8 : flat ? 36 : Math.ceil(16 + labelPx * Math.sin(rad) + LABEL_PX * Math.cos(rad));
    const keep = new Set(categories.filter((_, i) => i % step === 0));
    // Value labels only where every bar has room for its own.
    const widest = Math.max(...bars.map((b) => textPx(format(b.y))));
    const valueLabels = !o.series && (horizontal ? perBar >= LABEL_PX + 6 : perBar >= widest + 6);
    const axisText = { labelFill: '#cbd5e1', labelOpacity: 1, labelFontSize: LABEL_PX, labelFontFamily: FONT };
    return {
      type: 'interval',
      data: bars,
      autoFit: true,
      animate: false,
      ...(horizontal
        ? { paddingLeft: Math.ceil(labelPx + 20), paddingRight: valueLabels ? Math.ceil(widest + 20) : 24, paddingTop: 4, paddingBottom: 8 }
        : { paddingLeft: 90, paddingRight: 12, paddingTop: valueLabels ? 34 : 14, paddingBottom: bottom }),
      coordinate: horizontal ? { transform: [{ type: 'transpose' }] } : {},
      encode: { x: 'x', y: 'y', ...(o.series ? { color: 's' } : {}) },
      transform: o.series ? [o.stack === false ? { type: 'dodgeX' } : { type: 'stackY' }] : [],
      scale: {
        x: { type: 'band', padding: 0.35 },
        // From 0, or below it when a value is negative (a loss-making channel's margin).
        y: { type: 'linear', domainMin: Math.min(0, ...bars.map((b) => b.y)), nice: true },
        ...(o.series ? { color: { domain: this.seriesColors().map(([n]) => n), range: this.seriesColors().map(([, c]) => c) } } : {}),
      },
      style: o.series
        ? { fillOpacity: 0.9 }
        : {
            // G's gradient angles: 90deg runs top → bottom, 0deg left → right.
            fill: horizontal
              ? 'linear-gradient(0deg, rgba(34,211,238,0.25) 0%, rgba(34,211,238,0.95) 100%)'
              : 'linear-gradient(90deg, rgba(34,211,238,0.95) 0%, rgba(34,211,238,0.2) 100%)',
            radius: 2,
          },
      axis: {
        x: {
          ...axisText,
          title: false, tick: false, line: true, lineStroke: '#334155', lineStrokeOpacity: 1, grid: false,
          tickFilter: (code: string) => keep.has(code),
          labelFormatter: (code: string) => shown.get(code) ?? code,
          ...(flat ? {} : { labelTransform: `rotate(-${ROTATE_DEG}deg)`, labelTextAlign: 'end', labelTextBaseline: 'middle' }),
        },
        y: horizontal
          ? false
          : {
              ...axisText, labelFill: '#94a3b8',
              title: false, tickCount: 4, tick: false, line: false,
              grid: true, gridStroke: '#94a3b8', gridStrokeOpacity: 0.22, gridLineWidth: 1, gridLineDash: [4, 6],
              labelFormatter: (v: number) => format(v),
              transform: [{ type: 'hide' }],
            },
      },
      labels: valueLabels
        ? [
            {
              text: (d: Bar) => format(d.y),
              ...(horizontal
                ? { position: 'right', textAlign: 'start', dx: 8 }
                : { position: 'top', textBaseline: 'bottom', dy: -6 }),
              fill: '#fbbf24', fillOpacity: 1, fontSize: LABEL_PX, fontWeight: 600, fontFamily: FONT,
            },
          ]
        : [],
      legend: false,
      tooltip: false,
      interaction: { tooltip: false, legendFilter: false },
    } as G2Spec;
  }

  protected override render(): TemplateResult {
    const lang = normalizeLang(this.lang);
    const empty = this.bars.length === 0;
    const legend = this.o.series && !empty
      ? html`<ul class="legend" part="legend">${this.seriesColors().map(([n, c]) => html`<li><i style="background:${c}"></i>${n}</li>`)}</ul>`
      : nothing;
    return html`
      <div class="frame">
        ${cardHead(this.label, this.state, lang, legend)}
        <div class="body">
          <div class="stage ${empty ? 'hidden' : ''}"><div class="plot" part="plot"></div></div>
          ${cardState(
            this.state === 'loading',
            empty,
            lang,
            html`<div class="skeleton" part="skeleton">${[0.8, 0.55, 0.7, 0.4, 0.6].map((h) => html`<i style="height:${h * 100}%"></i>`)}</div>`,
            () => nothing,
          )}
        </div>
      </div>
    `;
  }

  static override styles = [
    boardCardStyles,
    chartStageStyles,
    css`
      .legend { display: flex; gap: 18px; margin: 0 0 0 auto; padding: 0; list-style: none; font-size: 18px; color: #cbd5e1; white-space: nowrap; overflow: hidden; }
      .legend li { display: flex; align-items: center; gap: 6px; }
      .legend i { width: 14px; height: 14px; border-radius: 3px; }
      .skeleton { position: absolute; inset: 8px 8px 8px 24px; display: flex; align-items: flex-end; gap: 8%; }
      .skeleton i { flex: 1; border-radius: 4px 4px 0 0; ${shimmer} }
      @media (prefers-reduced-motion: reduce) {
        .skeleton i { animation: none; }
      }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'rx-bar': RxBar;
  }
}
