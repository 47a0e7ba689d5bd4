import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { Type, type Static } from 'typebox';
import { VALUE_FORMATS, formatValue, normalizeLang, numberOf, valueAt, widgetText, type Lang, type ValueFormat, type WidgetState } from './format.js';
import { LABEL_SETS, labelOf, type LabelSet } from './labels.js';

/** A string enum whose TypeScript type is the union of its values (TypeBox infers `never` from a mapped array). */
const oneOf = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>(Type.Union(values.map((v) => Type.Literal(v)), description ? { description } : {}));

const FormatName = oneOf(VALUE_FORMATS);

/** Options of <rx-topn> in a screen file. */
export const RxTopnOptions = Type.Object(
  {
    items: Type.Optional(Type.String({ description: 'dot path to the array inside the value; default: the value is the array' })),
    name: Type.String({ description: 'field of the name (e.g. "name", "province")' }),
    nameFallback: Type.Optional(Type.String({ description: 'field shown when `name` is null (e.g. "sku_id")' })),
    value: Type.String({ description: 'numeric field ranked and shown (e.g. "gmv_fen")' }),
    format: Type.Optional(FormatName),
    labels: Type.Optional(oneOf(Object.keys(LABEL_SETS) as LabelSet[])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
    order: Type.Optional(oneOf(['desc', 'asc'] as const, 'largest first (desc, default) or smallest first (asc, e.g. days of cover)')),
    secondary: Type.Optional(Type.String({ description: 'a second numeric field shown smaller (e.g. "qty")' })),
    secondaryFormat: Type.Optional(FormatName),
  },
  { additionalProperties: false },
);
export type RxTopnOptions = Static<typeof RxTopnOptions>;

interface Row {
  key: string;
  name: string;
  value: number;
  secondary: number | null;
}

/** Ranked rows: invalid rows skipped, sorted by value (ties keep the value's order), cut at `limit`. */
export function rowsOf(value: unknown, o: RxTopnOptions, lang: Lang): Row[] {
  const items = valueAt(value, o.items);
  if (!Array.isArray(items) || !o.name || !o.value) return [];
  const dict = o.labels ? LABEL_SETS[o.labels] : undefined;
  const rows: Row[] = [];
  const seen = new Map<string, number>();
  items.forEach((item) => {
    if (item === null || typeof item !== 'object') return;
    const r = item as Record<string, unknown>;
    const v = numberOf(r[o.value]);
    if (v === null) return;
    const raw = r[o.name] ?? (o.nameFallback ? r[o.nameFallback] : null);
    const code = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '—';
    // A stable key per row (the fallback field is the id where there is one), so bars move, not blink.
    const id = String(r[o.nameFallback ?? o.name] ?? code);
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    rows.push({ key: `${id}#${n}`, name: labelOf(dict, code, lang), value: v, secondary: o.secondary ? numberOf(r[o.secondary]) : null });
  });
  const asc = o.order === 'asc';
  rows.sort((a, b) => (asc ? a.value - b.value : b.value - a.value));
  return rows.slice(0, o.limit ?? 10);
}

/**
 * A ranked board in DOM: rank, name, value and a bar proportional to the largest value shown. Top SKUs,
 * provinces, stock-out risk (ascending), near-expiry batches.
 */
@customElement('rx-topn')
export class RxTopn extends LitElement {
  @property() label = '';
  @property({ reflect: true }) override lang: Lang = 'zh-CN';
  @property({ reflect: true }) state: WidgetState = 'loading';
  @property({ attribute: false }) value: unknown = null;
  @property({ attribute: false }) options: Record<string, unknown> = {};

  private rows: Row[] = [];

  private get o(): RxTopnOptions {
    return (this.options ?? {}) as RxTopnOptions;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('value') || changed.has('options') || changed.has('lang') || changed.has('state')) {
      this.rows = this.state === 'loading' ? [] : rowsOf(this.value, this.o, normalizeLang(this.lang));
      if (this.state === 'loading') this.removeAttribute('data-shown');
      else this.setAttribute('data-shown', JSON.stringify(this.rows.map((r) => [r.name, r.value])));
    }
  }

  protected override render(): TemplateResult {
    const lang = normalizeLang(this.lang);
    const text = widgetText(lang);
    const o = this.o;
    const rows = this.rows;
    const max = rows.reduce((m, r) => Math.max(m, Math.abs(r.value)), 0);
    const fmt = (n: number): string => formatValue(o.format as ValueFormat | undefined, n, lang);
    const fmt2 = (n: number | null): string => (n === null ? '' : formatValue(o.secondaryFormat as ValueFormat | undefined, n, lang));
    const slots = Math.max(o.limit ?? 10, 1);
    return html`
      <div class="frame">
        <div class="head">
          <span class="label">${this.label}</span>
          ${this.state === 'stale' ? html`<span class="badge">${text.stale}</span>` : nothing}
        </div>
        <div class="body" style="--slots:${slots}">
          ${this.state === 'loading'
            ? html`<div class="skeleton" part="skeleton">${Array.from({ length: Math.min(slots, 6) }, () => html`<i></i>`)}</div>`
            : rows.length === 0
              ? html`<div class="empty" part="empty">${text.noData}</div>`
              : html`<ol class="rows ${o.secondary ? 'with-secondary' : ''}" part="rows">
                  ${repeat(
                    rows,
                    (r) => r.key,
                    (r, i) => html`<li class=${i < 3 ? 'top' : ''}>
                      <span class="rank">${i + 1}</span>
                      <span class="name" title=${r.name}>${r.name}</span>
                      ${o.secondary ? html`<span class="sec">${fmt2(r.secondary)}</span>` : nothing}
                      <span class="val">${fmt(r.value)}</span>
                      <span class="bar"><i style="transform:scaleX(${max > 0 ? (Math.abs(r.value) / max).toFixed(4) : 0})"></i></span>
                    </li>`,
                  )}
                </ol>`}
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
    .body { position: relative; flex: 1; min-height: 0; margin-top: 8px; overflow: hidden; }
    :host([state='stale']) .rows { opacity: 0.4; filter: grayscale(0.7); }
    /* Each row gets an equal share of the height (limit rows), but never less than a readable line. */
    .rows {
      list-style: none; margin: 0; padding: 0; height: 100%; display: grid;
      grid-template-rows: repeat(var(--slots), minmax(40px, 1fr)); align-content: start; transition: opacity 0.4s;
    }
    li {
      display: grid; grid-template-columns: 34px minmax(0, 1fr) auto; grid-template-rows: 1fr 5px;
      column-gap: 12px; align-items: center; min-height: 0; font-size: 19px; line-height: 1.3;
      font-variant-numeric: tabular-nums; white-space: nowrap;
    }
    .rows.with-secondary li { grid-template-columns: 34px minmax(0, 1fr) auto auto; }
    .rank {
      grid-row: 1 / span 2; width: 28px; height: 28px; display: grid; place-items: center; border-radius: 4px;
      font-size: 18px; font-weight: 700; color: #94a3b8; background: rgba(148, 163, 184, 0.12);
    }
    li.top .rank { color: #050b1a; background: #22d3ee; }
    li.top:first-child .rank { background: #fbbf24; }
    .name { color: #e2e8f0; overflow: hidden; text-overflow: ellipsis; }
    .sec { color: #94a3b8; font-size: 18px; text-align: right; }
    .val { color: #fbbf24; font-weight: 600; text-align: right; }
    .bar { grid-column: 2 / -1; grid-row: 2; align-self: start; height: 4px; border-radius: 2px; background: rgba(148, 163, 184, 0.12); overflow: hidden; }
    .bar i {
      display: block; height: 100%; transform-origin: left; transition: transform 0.6s ease-out;
      background: linear-gradient(90deg, rgba(34, 211, 238, 0.35), #22d3ee);
    }
    .empty { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; font-size: 24px; letter-spacing: 0.2em; color: #475569; }
    .skeleton { position: absolute; inset: 0; display: flex; flex-direction: column; gap: 14px; padding-top: 6px; }
    .skeleton i {
      display: block; height: 26px; border-radius: 4px;
      background: linear-gradient(90deg, rgba(148, 163, 184, 0.08) 25%, rgba(148, 163, 184, 0.2) 50%, rgba(148, 163, 184, 0.08) 75%);
      background-size: 200% 100%; animation: shimmer 1.6s linear infinite;
    }
    @keyframes shimmer { from { background-position: 100% 0; } to { background-position: -100% 0; } }
    @media (prefers-reduced-motion: reduce) {
      .bar i, .rows { transition: none; }
      .skeleton i { animation: none; }
    }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'rx-topn': RxTopn;
  }
}
