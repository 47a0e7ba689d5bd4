import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { RowCardElement, cardFrame, edgeRow, cardState, rowCardStyles, rowSkeleton } from './card.js';
import { DASH, formatCount, normalizeLang, type Lang } from './format.js';
import { DEFAULT_TZ, formatAgo, formatClock, readOptions, rowsAt } from './format-extra.js';
import { RULE_LABELS, SEVERITY_LABELS, entityText, labelOf } from './labels.js';
import { RxAlertFeedOptions } from './options.js';

export { RxAlertFeedOptions };

const SEVERITIES = ['critical', 'major', 'minor'] as const;
type Severity = (typeof SEVERITIES)[number];

interface Alert {
  id: string;
  rule: string;
  severity: Severity;
  entity: string;
  firstSeenMs: number;
  firstSeen: string;
  state: 'open' | 'acknowledged';
  /** Events (or reference rows) behind the alert; null when the value has none. */
  evidenceCount: number | null;
}

function toAlert(r: Record<string, unknown>): Alert | null {
  if (typeof r.alert_id !== 'string' || typeof r.first_seen !== 'string') return null;
  const firstSeenMs = Date.parse(r.first_seen);
  if (!Number.isFinite(firstSeenMs)) return null;
  return {
    id: r.alert_id,
    rule: typeof r.rule === 'string' ? r.rule : '',
    // An unknown severity is shown as the mildest one rather than hidden.
    severity: SEVERITIES.includes(r.severity as Severity) ? (r.severity as Severity) : 'minor',
    entity: typeof r.entity === 'string' ? r.entity : '',
    firstSeenMs,
    firstSeen: r.first_seen,
    state: r.state === 'acknowledged' ? 'acknowledged' : 'open',
    evidenceCount: typeof r.evidence_count === 'number' && Number.isFinite(r.evidence_count) ? r.evidence_count : null,
  };
}

/**
 * The live alert feed (`alerts.open`): one row an alert, open critical ones first, then latest activity
 * first, with its severity, rule, entity (its kind in words: `批次 B-1`), age since first seen, evidence
 * count and state; open and acknowledged counts in the header. A row that was not there before slides in
 * (a transform animation only). Pure view: the screen sets `now` (epoch ms) every second; without it ages
 * show a dash. `data-shown` lists `[alert_id, age_s]` in display order.
 */
@customElement('rx-alert-feed')
export class RxAlertFeed extends RowCardElement<RxAlertFeedOptions, Alert> {
  protected readonly rowPx = 66;
  protected readonly gapPx = 6;
  /** The screen's clock, epoch ms; null until the screen sets it. */
  @property({ attribute: false }) now: number | null = null;
  /** Zone of the clock times shown (first seen). @default 'Asia/Shanghai' */
  @property() tz = DEFAULT_TZ;

  /** The listed alerts that fit the body. */
  private alerts: Alert[] = [];
  private counts = { open: 0, acknowledged: 0 };
  /** Ids drawn by the previous render: any other id is new and slides in. Null before the first list. */
  private seen: Set<string> | null = null;
  private fresh = new Set<string>();

  // Untyped: `capacity` is a state of the base class, which PropertyValues<this> does not list.
  protected override willUpdate(changed: PropertyValues): void {
    const listChanged = this.rowsChanged(changed);
    if (changed.has('value') || changed.has('options')) {
      const opts = readOptions(RxAlertFeedOptions, this.options);
      const all = rowsAt(this.value, '').map(toAlert).filter((a): a is Alert => a !== null);
      // Open critical alerts lead (each group keeps the value's order): a burst of minor ones must not push
      // the alert that matters most below the fold of a wall that cannot scroll.
      const pinned = (a: Alert) => a.severity === 'critical' && a.state === 'open';
      this.counts = {
        open: all.filter((a) => a.state === 'open').length,
        acknowledged: all.filter((a) => a.state === 'acknowledged').length,
      };
      this.listed = [...all.filter(pinned), ...all.filter((a) => !pinned(a))].slice(0, opts.limit);
    }
    if (listChanged) {
      this.alerts = this.listed.slice(0, this.capacity);
      // The first list of a page is not "new": nothing slides in when a screen opens.
      const seen = this.seen;
      this.fresh = seen === null ? new Set() : new Set(this.alerts.filter((a) => !seen.has(a.id)).map((a) => a.id));
      if (this.alerts.length > 0 || this.value !== null) this.seen = new Set(this.alerts.map((a) => a.id));
    }
    if (listChanged || changed.has('now')) {
      this.setShown(this.alerts.map((a) => [a.id, this.ageS(a)]));
    }
  }

  private ageS(a: Alert): number | null {
    return typeof this.now === 'number' && Number.isFinite(this.now) ? Math.max(0, Math.floor((this.now - a.firstSeenMs) / 1000)) : null;
  }

  protected override render(): TemplateResult {
    const lang = normalizeLang(this.lang);
    const loading = this.state === 'loading';
    const en = lang === 'en';
    const counts = !loading
      ? html`<span class="counts" part="counts">
          <span class="count open">${en ? 'Open' : '未处理'}<b>${formatCount(this.counts.open, lang)}</b></span>
          <span class="count ack">${en ? 'Acknowledged' : '已确认'}<b>${formatCount(this.counts.acknowledged, lang)}</b></span>
        </span>`
      : nothing;
    const body = cardState(loading, this.alerts.length === 0, lang, rowSkeleton, () =>
      html`<ol class="rows">${repeat(this.alerts, (a) => a.id, (a) => this.renderRow(a, lang))}</ol>`,
    );
    return cardFrame(this, lang, body, counts);
  }

  private renderRow(a: Alert, lang: Lang): TemplateResult {
    const age = this.ageS(a);
    const en = lang === 'en';
    return html`
      <li class="row ${a.severity} ${a.state} ${this.fresh.has(a.id) ? 'enter' : ''}" part="row" data-alert=${a.id}>
        <span class="chip">${labelOf(SEVERITY_LABELS, a.severity, lang)}</span>
        <span class="rule">${labelOf(RULE_LABELS, a.rule, lang)}</span>
        <span class="age" part="age">${age === null ? DASH : formatAgo(age, lang)}</span>
        <span class="entity" part="entity">${entityText(a.entity, lang)}</span>
        <span class="meta">${this.renderEvidence(a, lang)}<span class="clock">${formatClock(a.firstSeenMs, this.tz)}</span><span class="state"
          >${a.state === 'open' ? (en ? 'Open' : '未处理') : en ? 'Acked' : '已确认'}</span></span>
      </li>
    `;
  }

  private renderEvidence(a: Alert, lang: Lang): TemplateResult | typeof nothing {
    if (a.evidenceCount === null) return nothing;
    const n = formatCount(a.evidenceCount, lang);
    return html`<span class="evidence" part="evidence">${lang === 'en' ? `Evidence ${n}` : `证据 ${n} 条`}</span>`;
  }

  static override styles = [
    rowCardStyles,
    css`
      .body { overflow: hidden; }
      :host { --sev: #eab308; }
      .counts { margin-left: auto; display: flex; gap: 20px; flex: none; font-size: 18px; color: #64748b; white-space: nowrap; }
      .count b { margin-left: 8px; font-size: 26px; font-variant-numeric: tabular-nums; }
      .count.open b { color: #f87171; }
      .count.ack b { color: #94a3b8; }
      .rows { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
      /* Two lines: severity, rule and age; then entity, first-seen clock and state. The rule gets the whole
         width between chip and age, so rule names of either language fit a side column. */
      .row {
        ${edgeRow}
        grid-template-columns: auto minmax(0, 1fr) auto;
        grid-template-areas: 'chip rule age' 'entity entity meta';
        column-gap: 12px;
        height: 66px;
        border-left: 4px solid var(--sev);
        line-height: 1.3;
      }
      .row.critical { --sev: #ef4444; background: rgba(127, 29, 29, 0.28); }
      .row.major { --sev: #f97316; }
      .row.minor { --sev: #eab308; }
      .row.enter { animation: slide-in 0.5s ease-out; }
      @keyframes slide-in {
        from { transform: translateY(-100%); opacity: 0; }
      }
      .chip {
        grid-area: chip;
        font-size: 18px;
        font-weight: 700;
        line-height: 1.4;
        padding: 0 8px;
        border-radius: 3px;
        color: #0b1120;
        background: var(--sev);
        white-space: nowrap;
      }
      .rule { grid-area: rule; font-size: 20px; color: #f1f5f9; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
      .age { grid-area: age; font-size: 20px; color: #fbbf24; text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
      .entity { grid-area: entity; font-size: 16px; color: #94a3b8; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; font-variant-numeric: tabular-nums; }
      .meta { grid-area: meta; display: flex; gap: 12px; justify-content: flex-end; align-items: baseline; white-space: nowrap; }
      .evidence { font-size: 16px; color: #94a3b8; font-variant-numeric: tabular-nums; }
      .clock { font-size: 16px; color: #64748b; font-variant-numeric: tabular-nums; }
      .state { font-size: 18px; color: #f87171; }
      .row.acknowledged .state { color: #64748b; }
      .row.acknowledged .rule { color: #94a3b8; }
      @media (prefers-reduced-motion: reduce) {
        .row.enter { animation: none; }
      }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'rx-alert-feed': RxAlertFeed;
  }
}
