// <rx-takeover>: the banner a critical alert puts over a wall whose screen opted in (`takeover: true`), until
// someone acknowledges it. Pure view like a widget: the screen runtime subscribes `alerts.open`, picks the
// open critical alerts with `openCriticals` and hands them over with its clock. It shows the newest one (rule,
// entity, evidence count, age) and how many more there are; never `detail`, so neither prescription content
// nor buyer data can reach the wall through it (entities of people are pseudonyms already).
import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import { formatAge, formatCount, normalizeLang } from '../../widgets/format.js';
import { RULE_LABELS, entityText, labelOf } from '../../widgets/labels.js';

export interface TakeoverAlert {
  id: string;
  rule: string;
  entity: string;
  evidenceCount: number | null;
  firstSeenMs: number;
}

/** A screen's takeover policy (its `takeover` field, screens/schema.ts), defaults filled. */
export interface TakeoverPolicy {
  /** Rules whose alerts may take the screen over; null: any. */
  rules: readonly string[] | null;
  severities: readonly string[];
  /** Seconds the full banner may cover the screen before it shrinks to a strip in the header. */
  stripAfterS: number;
}

export const DEFAULT_STRIP_AFTER_S = 60;

export function takeoverPolicy(takeover: unknown): TakeoverPolicy | null {
  if (takeover === true) return { rules: null, severities: ['critical'], stripAfterS: DEFAULT_STRIP_AFTER_S };
  if (!takeover || typeof takeover !== 'object') return null;
  const t = takeover as { rules?: string[]; severities?: string[]; strip_after_s?: number };
  return { rules: t.rules ?? null, severities: t.severities ?? ['critical'], stripAfterS: t.strip_after_s ?? DEFAULT_STRIP_AFTER_S };
}

/**
 * The alerts of an `alerts.open` value that take a wall over under `policy` (default: any rule, critical):
 * state open (an acknowledged one gives the wall back), newest first by first_seen, then alert_id for a
 * stable order.
 */
export function openCriticals(value: unknown, policy: TakeoverPolicy | null = takeoverPolicy(true)): TakeoverAlert[] {
  if (!Array.isArray(value) || !policy) return [];
  const out: TakeoverAlert[] = [];
  for (const r of value as Record<string, unknown>[]) {
    if (typeof r?.severity !== 'string' || !policy.severities.includes(r.severity) || r.state !== 'open' || typeof r.alert_id !== 'string') continue;
    if (policy.rules && !(typeof r.rule === 'string' && policy.rules.includes(r.rule))) continue;
    const firstSeenMs = typeof r.first_seen === 'string' ? Date.parse(r.first_seen) : Number.NaN;
    out.push({
      id: r.alert_id,
      rule: typeof r.rule === 'string' ? r.rule : '',
      entity: typeof r.entity === 'string' ? r.entity : '',
      evidenceCount: typeof r.evidence_count === 'number' && Number.isFinite(r.evidence_count) ? r.evidence_count : null,
      firstSeenMs,
    });
  }
  // An unparsable first_seen sorts last rather than hiding the alert.
  const t = (a: TakeoverAlert) => (Number.isFinite(a.firstSeenMs) ? a.firstSeenMs : -Infinity);
  return out.sort((a, b) => t(b) - t(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const TEXT = {
  'zh-CN': { title: '严重预警', evidence: (n: string) => `证据 ${n} 条`, age: '持续', more: (n: string) => `另有 ${n} 条严重预警` },
  en: { title: 'Critical alert', evidence: (n: string) => `Evidence: ${n}`, age: 'Open for', more: (n: string) => `${n} more critical` },
} as const;

export class RxTakeover extends LitElement {
  static override properties = { alerts: { attribute: false }, now: { attribute: false }, lang: {}, compact: { type: Boolean, reflect: true }, strip: { type: Boolean, reflect: true } };
  /** Open critical alerts, newest first (`openCriticals`); the first one is shown. */
  declare alerts: TakeoverAlert[];
  /** The screen's clock (server time), epoch ms; ages count from first_seen to it. */
  declare now: number;
  declare lang: string;
  /** A phone: the banner sits in the page's column at phone sizes. */
  declare compact: boolean;
  /** One line in the header (after the screen's `strip_after_s`): the screen's numbers show again. */
  declare strip: boolean;

  constructor() {
    super();
    this.alerts = [];
    this.now = Date.now();
    this.lang = 'zh-CN';
    this.compact = false;
    this.strip = false;
  }

  override render(): TemplateResult | typeof nothing {
    const a = this.alerts[0];
    if (!a) return nothing;
    const lang = normalizeLang(this.lang);
    const w = TEXT[lang];
    const more = this.alerts.length - 1;
    const ageS = Number.isFinite(a.firstSeenMs) ? Math.max(0, (this.now - a.firstSeenMs) / 1000) : Number.NaN;
    return html`<div class="banner ${lang === 'en' ? 'en' : ''}" role="alert" part="banner">
      <div class="tag">
        <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 2 1 21h22L12 2Z" fill="#fde047" /><path d="M11 9h2v6h-2zM11 17h2v2h-2z" fill="#450a0a" /></svg>
        <span>${w.title}</span>
      </div>
      <div class="main">
        <div class="rule" part="rule">${labelOf(RULE_LABELS, a.rule, lang)}</div>
        <div class="facts">
          <span class="entity" part="entity">${entityText(a.entity, lang)}</span>
          ${a.evidenceCount === null ? nothing : html`<span class="evidence" part="evidence">${w.evidence(formatCount(a.evidenceCount, lang))}</span>`}
        </div>
      </div>
      <div class="side">
        <div class="age"><small>${w.age}</small><b part="age">${formatAge(ageS, lang)}</b></div>
        ${more > 0 ? html`<div class="more" part="more"><b>+${formatCount(more, lang)}</b>${w.more(formatCount(more, lang))}</div>` : nothing}
      </div>
    </div>`;
  }

  // Sizes are design px of the 1920×1080 stage (the stage scales them, so 3840×2160 draws them twice as big
  // and as sharp): the rule reads from across a room, the facts from a few metres. Only the icon blinks
  // (an opacity animation of a small layer: the text is never re-rastered, and the wall's frame budget is
  // not spent on a big repaint every frame).
  static override styles = css`
    :host { display: block; }
    .banner {
      display: grid;
      grid-template-columns: auto minmax(0, 1fr) auto;
      align-items: center;
      column-gap: 40px;
      min-height: 176px;
      box-sizing: border-box;
      padding: 18px 40px;
      color: #fff;
      background: linear-gradient(90deg, #7f1d1d 0%, #991b1b 55%, #7f1d1d 100%);
      border: 3px solid #f87171;
      border-radius: 12px;
      box-shadow: 0 16px 48px rgba(0, 0, 0, 0.65), 0 0 36px rgba(239, 68, 68, 0.55);
    }
    .tag { display: flex; flex-direction: column; align-items: center; gap: 8px; font-size: 28px; font-weight: 700; letter-spacing: 4px; color: #fee2e2; white-space: nowrap; }
    .en .tag { letter-spacing: 1px; text-transform: uppercase; font-size: 24px; }
    .tag svg { width: 72px; height: 72px; animation: blink 0.8s ease-in-out 12 alternate; } /* ~10 s: an endless blink would keep the renderer drawing every frame */
    .main { min-width: 0; display: flex; flex-direction: column; gap: 10px; }
    .rule { font-size: 64px; font-weight: 800; line-height: 1.15; letter-spacing: 4px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .en .rule { letter-spacing: 0; font-size: 58px; }
    .facts { display: flex; gap: 36px; align-items: baseline; font-size: 34px; line-height: 1.2; color: #fecaca; white-space: nowrap; min-width: 0; }
    .entity { overflow: hidden; text-overflow: ellipsis; font-variant-numeric: tabular-nums; color: #fff; font-weight: 600; }
    .evidence { flex: none; }
    .side { display: flex; flex-direction: column; align-items: flex-end; gap: 10px; white-space: nowrap; }
    .age { display: flex; align-items: baseline; gap: 14px; }
    .age small { font-size: 28px; color: #fecaca; }
    .age b { font-size: 56px; font-weight: 800; font-variant-numeric: tabular-nums; }
    .more { display: flex; align-items: baseline; gap: 12px; font-size: 26px; color: #fee2e2; padding: 4px 18px; border-radius: 999px; background: rgba(0, 0, 0, 0.3); }
    .more b { font-size: 36px; color: #fde047; font-variant-numeric: tabular-nums; }
    /* A phone: one column (rule, facts, then age and "+N" side by side), the rule wraps rather than cut. */
    /* The strip: one line in the header's middle, the rule and its entity and age; nothing else is covered. */
    :host([strip]) .banner { min-height: 0; height: 64px; padding: 0 24px; column-gap: 18px; border-width: 2px; border-radius: 999px; box-shadow: 0 0 24px rgba(239, 68, 68, 0.5); grid-template-columns: auto minmax(0, 1fr) auto; }
    :host([strip]) .tag span, :host([strip]) .evidence, :host([strip]) .more, :host([strip]) .age small { display: none; }
    :host([strip]) .tag svg { width: 36px; height: 36px; }
    :host([strip]) .main { flex-direction: row; align-items: baseline; gap: 18px; }
    :host([strip]) .rule { font-size: 30px; letter-spacing: 2px; }
    :host([strip]) .facts { font-size: 24px; }
    :host([strip]) .age b { font-size: 28px; }
    :host([compact]) .banner { min-height: 0; padding: 12px 14px; grid-template-columns: minmax(0, 1fr); row-gap: 8px; border-radius: 8px; }
    :host([compact]) .tag { display: none; }
    :host([compact]) .rule { font-size: 24px; letter-spacing: 1px; white-space: normal; }
    :host([compact]) .side { flex-direction: row; align-items: center; justify-content: space-between; }
    :host([compact]) .facts { font-size: 15px; gap: 12px; flex-wrap: wrap; white-space: normal; }
    :host([compact]) .age small { font-size: 13px; }
    :host([compact]) .age b { font-size: 22px; }
    :host([compact]) .more { font-size: 13px; padding: 2px 10px; }
    :host([compact]) .more b { font-size: 16px; }
    @keyframes blink { to { opacity: 0.3; } }
    @media (prefers-reduced-motion: reduce) { .tag svg { animation: none; } }
  `;
}

customElements.define('rx-takeover', RxTakeover);

declare global {
  interface HTMLElementTagNameMap {
    'rx-takeover': RxTakeover;
  }
}
