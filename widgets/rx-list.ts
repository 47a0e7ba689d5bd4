import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { CardElement, boardCardStyles, cardHead, cardState, lineSkeletonStyles, reducedMotion } from './card.js';
import { DASH, DEFAULT_TZ, formatAge, formatTime, formatValue, normalizeLang, numberOf, valueAt, type Lang, type ValueFormat } from './format.js';
import { LABEL_SETS, labelOf } from './labels.js';
import { LIST_FORMATS, RxListOptions, type ListColumn, type ListFormat } from './options.js';

export { LIST_FORMATS, RxListOptions, type ListFormat };

interface ListRow {
  key: string;
  cells: string[];
  /** First cell as shown and the raw value of the last numeric column, for data-shown. */
  shown: [string, number | null];
}

/** One cell's text: codes through their label set, numbers and instants through format.ts. */
function cellText(raw: unknown, c: ListColumn, lang: Lang, tz: string): string {
  if (raw === null || raw === undefined) return DASH;
  switch (c.format) {
    case undefined:
      if (typeof raw !== 'string' && typeof raw !== 'number') return DASH;
      return c.values?.[String(raw)]?.[lang] ?? labelOf(c.labels ? LABEL_SETS[c.labels] : undefined, String(raw), lang);
    case 'time':
      return typeof raw === 'string' ? formatTime(raw, tz) : DASH;
    case 'age':
      return typeof raw === 'number' ? formatAge(raw, lang) : DASH;
    default:
      return typeof raw === 'number' ? formatValue(c.format as ValueFormat, raw, lang) : DASH;
  }
}

export function listRowsOf(value: unknown, o: RxListOptions, lang: Lang, tz: string): ListRow[] {
  const items = valueAt(value, o.items);
  const columns = Array.isArray(o.columns) ? o.columns : [];
  if (!Array.isArray(items) || columns.length === 0) return [];
  const numeric = [...columns].reverse().find((c) => c.format !== undefined && c.format !== 'time');
  const seen = new Map<string, number>();
  const rows: ListRow[] = [];
  for (const item of items) {
    if (item === null || typeof item !== 'object') continue;
    const r = item as Record<string, unknown>;
    const id = o.key && r[o.key] !== undefined ? String(r[o.key]) : JSON.stringify(r);
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    const cells = columns.map((c) => cellText(r[c.field], c, lang, tz));
    rows.push({ key: `${id}#${n}`, cells, shown: [cells[0], numeric ? numberOf(r[numeric.field]) : null] });
  }
  return rows;
}

function track(width: ListColumn['width']): string {
  if (typeof width === 'number') return `${width}px`;
  return typeof width === 'string' && width.length > 0 ? width : 'minmax(0, 1fr)';
}

/**
 * A list in DOM (latest orders ticker, prescription queue). When rows arrive at the top, the whole list
 * glides down by their height (one transform animation on the list, whatever its length) and they fade
 * in. A list longer than `visible` rows moves up one row every `secondsPerRow` (a 0.6 s glide, then still)
 * over a second copy of the rows, so it loops without a seam. Row by row, not a continuous scroll, and
 * never one animation per row: on a wall PC without a GPU each animated element costs the page's main
 * thread a style pass per frame.
 *
 * `data-shown` holds, per row, the first cell as shown and the raw value of the last numeric column.
 */
@customElement('rx-list')
export class RxList extends CardElement<RxListOptions> {
  /** The business time zone instants are shown in (the screen sets it); never the browser's zone. */
  @property() tz: string = DEFAULT_TZ;

  private rows: ListRow[] = [];
  /** Rows the ticker has moved up; back to 0 without a glide once the copy is where the rows began. */
  @state() private offset = 0;
  @state() private snapping = false;
  private ticker: ReturnType<typeof setInterval> | undefined;
  /** Rows that arrived above the previous first row in the last update: the list glides down by them. */
  private arrived = 0;
  private glide: Animation | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    const ms = Math.max(500, (this.o.secondsPerRow ?? 3) * 1000);
    this.ticker = setInterval(() => this.step(), ms);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.ticker);
    this.ticker = undefined;
    this.glide?.cancel();
    this.glide = undefined;
  }

  private step(): void {
    const n = this.rows.length;
    if (n <= (this.o.visible ?? 8) || reducedMotion()) {
      if (this.offset !== 0) this.offset = 0;
      return;
    }
    if (this.snapping) this.snapping = false;
    this.offset = (this.offset % n) + 1;
    // At n the copy stands where the rows began: after the glide, jump back to 0 unseen.
    if (this.offset === n) setTimeout(() => {
      this.snapping = true;
      this.offset = 0;
    }, 700);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.drawnChanged(changed, 'tz')) {
      const firstKey = this.rows[0]?.key;
      this.rows = this.state === 'loading' ? [] : listRowsOf(this.value, this.o, normalizeLang(this.lang), this.tz || DEFAULT_TZ);
      this.arrived = firstKey === undefined ? 0 : Math.max(0, this.rows.findIndex((r) => r.key === firstKey));
      this.setShown(this.state === 'loading' ? null : this.rows.map((r) => r.shown));
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const list = this.arrived > 0 && !reducedMotion() ? this.renderRoot.querySelector('ul.rows') : null;
    if (list) {
      this.glide?.cancel();
      const from = `translateY(${-this.arrived * (this.o.rowHeight ?? 46)}px)`;
      this.glide = list.animate([{ transform: from }, { transform: 'none' }], { duration: 500, easing: 'ease-out' });
    }
    this.arrived = 0;
  }

  protected override render(): TemplateResult {
    const lang = normalizeLang(this.lang);
    const o = this.o;
    const columns = Array.isArray(o.columns) ? o.columns : [];
    const h = o.rowHeight ?? 46;
    const visible = o.visible ?? 8;
    const rows = this.rows;
    const scrolling = rows.length > visible;
    const grid = columns.map((c) => track(c.width)).join(' ');
    const header = columns.some((c) => c.label);
    const row = (r: ListRow, copy: boolean): TemplateResult =>
      html`<li class=${copy ? 'copy' : ''} aria-hidden=${copy ? 'true' : nothing}>
        ${r.cells.map((t, c) => html`<span class="c${c} f-${columns[c]?.format ?? 'text'}" title=${t}>${t}</span>`)}
      </li>`;
    return html`
      <div class="frame" style="--h:${h}px; --cols:${grid}; --n:${rows.length}; --visible:${visible}">
        ${cardHead(this.label, this.state, lang)}
        ${header && rows.length > 0
          ? html`<div class="thead">${columns.map((c, i) => html`<span class="c${i} f-${c.format ?? 'text'}">${c.label?.[lang] ?? ''}</span>`)}</div>`
          : nothing}
        <div class="body">
          ${cardState(
            this.state === 'loading',
            rows.length === 0,
            lang,
            html`<div class="skeleton" part="skeleton">${Array.from({ length: Math.min(visible, 6) }, () => html`<i></i>`)}</div>`,
            // One keyed repeat over the rows and their copy (two sibling repeats left Lit markers behind).
            () => html`<div class="track ${scrolling ? 'scrolling' : ''} ${this.snapping ? 'snap' : ''}" style="transform:translateY(${scrolling ? -(this.offset % (rows.length + 1)) * h : 0}px)"
              ><ul class="rows" part="rows">${repeat(
                scrolling ? [...rows, ...rows] : rows,
                (r, i) => (i < rows.length ? r.key : `copy:${r.key}`),
                (r, i) => row(r, i >= rows.length),
              )}</ul
            ></div>`,
          )}
        </div>
      </div>
    `;
  }

  static override styles = [
    boardCardStyles,
    lineSkeletonStyles,
    css`
      .thead, li { display: grid; grid-template-columns: var(--cols); column-gap: 16px; align-items: center; padding: 0 12px; }
      .thead { margin-top: 8px; height: 34px; font-size: 18px; color: #64748b; border-bottom: 1px solid rgba(34, 211, 238, 0.16); }
      .thead span, li span { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; min-width: 0; }
      /* At most 'visible' rows tall; the card may be shorter, then it clips. */
      .body { max-height: calc(var(--visible) * var(--h)); margin-top: 4px; overflow: hidden; }
      :host([state='stale']) .track { opacity: 0.4; filter: grayscale(0.7); }
      .track { transition: transform 0.6s ease-in-out; }
      .track.snap { transition: none; }
      .rows { list-style: none; margin: 0; padding: 0; }
      li {
        height: var(--h); box-sizing: border-box;
        font-size: 19px; font-variant-numeric: tabular-nums; color: #e2e8f0;
        border-bottom: 1px solid rgba(148, 163, 184, 0.08);
        transition: opacity 0.5s ease-out;
      }
      @starting-style {
        li { opacity: 0; }
      }
      .f-yuan { color: #fbbf24; text-align: right; font-weight: 600; }
      .f-count, .f-bp, .f-seconds, .f-celsius, .f-age { text-align: right; color: #22d3ee; }
      .f-time { color: #94a3b8; }
      .thead .f-yuan, .thead .f-count, .thead .f-bp, .thead .f-age { color: #64748b; font-weight: 400; }
      .empty { min-height: 80px; }
      .skeleton { padding-top: 8px; }
      @media (prefers-reduced-motion: reduce) {
        li, .track { transition: none; }
      }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'rx-list': RxList;
  }
}
