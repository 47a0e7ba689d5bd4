import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { Type } from 'typebox';
import { normalizeLang, widgetText, type Lang, type WidgetState } from './format.js';
import { VALUE_FORMATS, formatDaysLeft, formatValue, numberOr, readOptions, rowsAt, rowsThatFit } from './format-extra.js';

/** Options of <rx-countdown> in a screen file. */
export const RxCountdownOptions = Type.Object(
  {
    items: Type.Optional(Type.String({ default: '', description: 'dot path to the list in the value (e.g. "items"); default the value itself' })),
    id: Type.Optional(Type.String({ default: 'id', description: 'field identifying a row (data-shown); falls back to the name' })),
    name: Type.Optional(Type.String({ default: 'name', description: 'field shown as the row title' })),
    days: Type.Optional(Type.String({ default: 'days_left', description: 'integer field: days left, negative when overdue' })),
    date: Type.Optional(Type.String({ default: 'expires_on', description: 'YYYY-MM-DD field shown under the title' })),
    value: Type.Optional(Type.String({ description: 'optional secondary number field (e.g. "value_fen")' })),
    format: Type.Optional(Type.Union(VALUE_FORMATS.map((f) => Type.Literal(f)), { default: 'yuan', description: 'format of the secondary number' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10, description: 'at most this many rows, in the order given' })),
  },
  { additionalProperties: false },
);

/** How soon: ≤ 7 days (or overdue) critical, ≤ 30 soon, ≤ 90 later, else calm. */
export type Urgency = 'critical' | 'soon' | 'later' | 'calm';
export function urgencyOf(days: number): Urgency {
  return days <= 7 ? 'critical' : days <= 30 ? 'soon' : days <= 90 ? 'later' : 'calm';
}

/** Row height and gap in CSS px (kept equal to the stylesheet's .row and .rows). */
const ROW_PX = 58;
const GAP_PX = 6;

interface Row {
  id: string;
  name: string;
  days: number;
  date: string;
  value: number | null;
}

/**
 * Days left until a deadline, one row an item, in the order given: licence expiry, near-expiry batches
 * (`warehouse.near_expiry` with items "items", name "name", days "days_left", date "expiry_date", value
 * "value_fen"). Coloured by urgency. `data-shown` lists `[id, days]` in display order.
 */
@customElement('rx-countdown')
export class RxCountdown extends LitElement {
  @property() label = '';
  @property({ reflect: true }) override lang: Lang = 'zh-CN';
  @property({ reflect: true }) state: WidgetState = 'loading';
  /** The metric value exactly as the API returns it. */
  @property({ attribute: false }) value: unknown = null;
  @property({ attribute: false }) options: Record<string, unknown> = {};

  /** Rows the body has room for (never a half row); measured by a ResizeObserver. */
  @state() private capacity = Number.POSITIVE_INFINITY;
  private resizeObserver: ResizeObserver | null = null;
  /** Rows of the value up to `limit`, and those of them drawn. */
  private listed: Row[] = [];
  private rows: Row[] = [];
  private format: (typeof VALUE_FORMATS)[number] = 'yuan';

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.observe();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.resizeObserver = null;
  }

  protected override firstUpdated(): void {
    this.observe();
  }

  private observe(): void {
    const body = this.renderRoot.querySelector('.body');
    if (!body || this.resizeObserver) return;
    this.resizeObserver = new ResizeObserver(([entry]) => {
      this.capacity = rowsThatFit(entry.contentRect.height, ROW_PX, GAP_PX);
    });
    this.resizeObserver.observe(body);
  }

  // Untyped: `capacity` is a private state, which PropertyValues<this> does not list.
  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('value') || changed.has('options')) {
      const o = readOptions(RxCountdownOptions, this.options);
      this.format = o.format ?? 'yuan';
      const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
      this.listed = [];
      for (const r of rowsAt(this.value, o.items ?? '')) {
        const days = numberOr(r[o.days ?? 'days_left']);
        if (days === null) continue; // a row without a deadline has nothing to count down
        const name = str(r[o.name ?? 'name']);
        this.listed.push({
          id: str(r[o.id ?? 'id']) || name,
          name,
          days,
          date: str(r[o.date ?? 'expires_on']),
          value: o.value ? numberOr(r[o.value]) : null,
        });
        if (this.listed.length >= (o.limit ?? 10)) break;
      }
    }
    if (changed.has('value') || changed.has('options') || changed.has('capacity')) {
      this.rows = this.listed.slice(0, this.capacity);
      this.setAttribute('data-shown', JSON.stringify(this.rows.map((r) => [r.id, r.days])));
    }
  }

  protected override render(): TemplateResult {
    const lang = normalizeLang(this.lang);
    const text = widgetText(lang);
    const loading = this.state === 'loading';
    // Counted over every listed row: one that did not fit still counts.
    const critical = this.listed.filter((r) => r.days <= 7).length;
    const hidden = this.listed.length - this.rows.length;
    return html`
      <div class="frame" aria-busy=${loading ? 'true' : 'false'}>
        <div class="head">
          <span class="label">${this.label}</span>
          ${this.state === 'stale' ? html`<span class="badge">${text.stale}</span>` : nothing}
          ${!loading && critical > 0
            ? html`<span class="summary">${lang === 'en' ? `${critical} within 7 days` : `7天内 ${critical}`}</span>`
            : nothing}
          ${!loading && hidden > 0 ? html`<span class="more">${lang === 'en' ? `+${hidden} more` : `另 ${hidden} 项`}</span>` : nothing}
        </div>
        <div class="body">
          ${loading
            ? html`<div class="skeleton"></div><div class="skeleton"></div><div class="skeleton"></div>`
            : this.rows.length === 0
              ? html`<div class="empty" part="empty">${text.noData}</div>`
              : html`<ol class="rows">${this.rows.map((r) => this.renderRow(r, lang))}</ol>`}
        </div>
      </div>
    `;
  }

  private renderRow(r: Row, lang: Lang): TemplateResult {
    return html`
      <li class="row ${urgencyOf(r.days)}" part="row" data-id=${r.id}>
        <span class="what">
          <span class="name">${r.name || r.id}</span>
          ${r.date || r.value !== null
            ? html`<span class="sub">${r.date ? html`<span>${r.date}</span>` : nothing}${r.value !== null
                ? html`<span class="money ${this.format}">${formatValue(r.value, this.format, lang)}</span>`
                : nothing}</span>`
            : nothing}
        </span>
        <span class="days" part="days">${formatDaysLeft(r.days, lang)}</span>
      </li>
    `;
  }

  static override styles = css`
    :host {
      display: block;
      height: 100%;
      /* A scroll container has no min-content floor in a 1fr grid cell: long text ellipsizes, never widens the screen. */
      overflow: hidden;
      min-width: 0;
      min-height: 200px;
      box-sizing: border-box;
      font-family: var(--rx-font, 'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif);
      color: #cbd5e1;
      --urgency: #64748b;
    }
    .frame {
      height: 100%;
      box-sizing: border-box;
      display: flex;
      flex-direction: column;
      padding: 16px 20px 12px;
      background: linear-gradient(180deg, rgba(14, 42, 84, 0.5), rgba(5, 14, 34, 0.3));
      border: 1px solid rgba(34, 211, 238, 0.16);
      border-radius: 4px;
    }
    .head { display: flex; align-items: baseline; gap: 12px; min-width: 0; min-height: 34px; }
    .label {
      font-size: 22px;
      letter-spacing: 0.06em;
      color: #e2e8f0;
      padding-left: 12px;
      border-left: 4px solid #22d3ee;
      line-height: 1.35;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .badge { flex: none; font-size: 14px; padding: 1px 8px; border: 1px solid rgba(251, 191, 36, 0.6); border-radius: 3px; color: #fbbf24; }
    .more { margin-left: auto; flex: none; font-size: 16px; color: #64748b; white-space: nowrap; }
    .summary + .more { margin-left: 0; }
    .summary { margin-left: auto; flex: none; font-size: 18px; color: #f87171; font-weight: 700; white-space: nowrap; }
    .body { position: relative; flex: 1; min-height: 0; margin-top: 8px; overflow: hidden; }
    .rows { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; transition: opacity 0.4s; }
    :host([state='stale']) .rows { opacity: 0.4; filter: grayscale(0.7); }
    .row {
      display: grid;
      grid-template-columns: minmax(0, 1fr) auto;
      align-items: center;
      gap: 16px;
      height: 58px;
      box-sizing: border-box;
      padding: 4px 12px;
      border-left: 4px solid var(--urgency);
      background: rgba(15, 23, 42, 0.55);
      border-radius: 2px;
    }
    .row.critical { --urgency: #ef4444; background: rgba(127, 29, 29, 0.28); }
    .row.soon { --urgency: #f97316; }
    .row.later { --urgency: #eab308; }
    .row.calm { --urgency: #475569; }
    .what { display: flex; flex-direction: column; min-width: 0; line-height: 1.3; }
    .name { font-size: 20px; color: #f1f5f9; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .sub { display: flex; gap: 16px; font-size: 16px; color: #94a3b8; font-variant-numeric: tabular-nums; white-space: nowrap; }
    .money.yuan { color: #fbbf24; }
    .days { font-size: 24px; font-weight: 700; color: var(--urgency); white-space: nowrap; font-variant-numeric: tabular-nums; }
    .row.calm .days { color: #94a3b8; font-weight: 500; }
    .empty {
      position: absolute;
      inset: 0;
      display: flex;
      align-items: center;
      justify-content: center;
      font-size: 24px;
      letter-spacing: 0.2em;
      color: #475569;
    }
    .skeleton {
      height: 48px;
      margin: 8px 0;
      border-radius: 6px;
      background: linear-gradient(90deg, rgba(148, 163, 184, 0.08) 25%, rgba(148, 163, 184, 0.2) 50%, rgba(148, 163, 184, 0.08) 75%);
      background-size: 200% 100%;
      animation: shimmer 1.6s linear infinite;
    }
    @keyframes shimmer {
      from { background-position: 100% 0; }
      to { background-position: -100% 0; }
    }
    @media (prefers-reduced-motion: reduce) {
      .skeleton { animation: none; }
      .rows { transition: none; }
    }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'rx-countdown': RxCountdown;
  }
}
