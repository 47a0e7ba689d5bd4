import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement } from 'lit/decorators.js';
import { RowCardElement, cardFrame, edgeRow, cardState, rowCardStyles, rowSkeleton } from './card.js';
import { normalizeLang, type Lang } from './format.js';
import { VALUE_FORMATS, formatDaysLeft, formatValue, numberOr, readOptions, rowsAt } from './format-extra.js';
import { RxCountdownOptions } from './options.js';

export { RxCountdownOptions };

/** How soon: ≤ 7 days (or overdue) critical, ≤ 30 soon, ≤ 90 later, else calm. */
export type Urgency = 'critical' | 'soon' | 'later' | 'calm';
export function urgencyOf(days: number): Urgency {
  return days <= 7 ? 'critical' : days <= 30 ? 'soon' : days <= 90 ? 'later' : 'calm';
}


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
export class RxCountdown extends RowCardElement<RxCountdownOptions, Row> {
  protected readonly rowPx = 58;
  protected readonly gapPx = 6;
  /** The listed rows that fit the body. */
  private rows: Row[] = [];
  private format: (typeof VALUE_FORMATS)[number] = 'yuan';

  // Untyped: `capacity` is a state of the base class, which PropertyValues<this> does not list.
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
    if (this.rowsChanged(changed)) this.rows = this.fitRows((r) => [r.id, r.days]);
  }

  protected override render(): TemplateResult {
    const lang = normalizeLang(this.lang);
    const loading = this.state === 'loading';
    // Counted over every listed row: one that did not fit still counts.
    const critical = this.listed.filter((r) => r.days <= 7).length;
    const hidden = this.listed.length - this.rows.length;
    const summary = !loading && critical > 0
      ? html`<span class="summary">${lang === 'en' ? `${critical} within 7 days` : `7天内 ${critical}`}</span>`
      : nothing;
    const more = !loading && hidden > 0 ? html`<span class="more">${lang === 'en' ? `+${hidden} more` : `另 ${hidden} 项`}</span>` : nothing;
    const body = cardState(loading, this.rows.length === 0, lang, rowSkeleton, () => html`<ol class="rows">${this.rows.map((r) => this.renderRow(r, lang))}</ol>`);
    return cardFrame(this, lang, body, html`${summary}${more}`);
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

  static override styles = [
    rowCardStyles,
    css`
      .body { overflow: hidden; }
      :host { --urgency: #64748b; }
      .more { margin-left: auto; flex: none; font-size: 16px; color: #64748b; white-space: nowrap; }
      .summary + .more { margin-left: 0; }
      .summary { margin-left: auto; flex: none; font-size: 18px; color: #f87171; font-weight: 700; white-space: nowrap; }
      .rows { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
      .row { ${edgeRow} grid-template-columns: minmax(0, 1fr) auto; gap: 16px; height: 58px; border-left: 4px solid var(--urgency); }
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
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'rx-countdown': RxCountdown;
  }
}
