import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { CardElement, ResizeWatch, boardCardStyles, cardHead, cardState, lineSkeletonStyles } from './card.js';
import { rowsThatFit } from './format-extra.js';
import { formatValue, normalizeLang, numberOf, valueAt, type Lang, type ValueFormat } from './format.js';
import { LABEL_SETS, labelOf } from './labels.js';
import { RxTopnOptions } from './options.js';

export { RxTopnOptions };

interface Row {
  key: string;
  name: string;
  value: number;
  secondary: number | null;
}

/** The least height of a row (kept equal to the stylesheet's minmax). */
const ROW_PX = 40;

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
export class RxTopn extends CardElement<RxTopnOptions> {
  private rows: Row[] = [];
  /** Whole rows the body has room for: a board never ends in a half-cut row (unlimited until measured). */
  @state() private capacity = Number.POSITIVE_INFINITY;
  protected readonly bodySize = new ResizeWatch(this, (box) => {
    this.capacity = rowsThatFit(box.height, ROW_PX, 0);
  });

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.drawnChanged(changed, 'capacity')) {
      this.rows = this.state === 'loading' ? [] : rowsOf(this.value, this.o, normalizeLang(this.lang)).slice(0, this.capacity);
      this.setShown(this.state === 'loading' ? null : this.rows.map((r) => [r.name, r.value]));
    }
  }

  protected override render(): TemplateResult {
    const lang = normalizeLang(this.lang);
    const slots = Math.max(Math.min(this.o.limit ?? 10, this.capacity), 1);
    const skeleton = html`<div class="skeleton" part="skeleton">${Array.from({ length: Math.min(slots, 6) }, () => html`<i></i>`)}</div>`;
    return html`
      <div class="frame">
        ${cardHead(this.label, this.state, lang)}
        <div class="body" style="--slots:${slots}">${cardState(this.state === 'loading', this.rows.length === 0, lang, skeleton, () => this.renderRows(lang))}</div>
      </div>
    `;
  }

  /** The ranked rows, each with a bar proportional to the largest value shown. */
  private renderRows(lang: Lang): TemplateResult {
    const o = this.o;
    const rows = this.rows;
    const max = rows.reduce((m, r) => Math.max(m, Math.abs(r.value)), 0);
    const fmt = (n: number): string => formatValue(o.format as ValueFormat | undefined, n, lang);
    const fmt2 = (n: number | null): string => (n === null ? '' : formatValue(o.secondaryFormat as ValueFormat | undefined, n, lang));
    return html`<ol class="rows ${o.secondary ? 'with-secondary' : ''}" part="rows">
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
    </ol>`;
  }

  static override styles = [
    boardCardStyles,
    lineSkeletonStyles,
    css`
      .body { overflow: hidden; }
      :host([state='stale']) .rows { opacity: 0.4; filter: grayscale(0.7); }
      /* Each row gets an equal share of the height (limit rows, or as many whole rows as fit), never less than a readable line. */
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
      .skeleton { position: absolute; inset: 0; padding-top: 6px; }
      @media (prefers-reduced-motion: reduce) {
        .bar i, .rows { transition: none; }
      }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'rx-topn': RxTopn;
  }
}
