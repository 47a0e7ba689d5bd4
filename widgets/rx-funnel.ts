import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { Type } from 'typebox';
import { DASH, formatCount, formatPercent, normalizeLang, widgetText, type Lang, type WidgetState } from './format.js';
import { numberOr, readOptions } from './format-extra.js';
import { LABEL_SETS, labelOf, type LabelSet } from './labels.js';

/** Options of <rx-funnel> in a screen file. */
export const RxFunnelOptions = Type.Object(
  {
    stages: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        maxItems: 8,
        default: ['issued', 'review_started', 'approved'],
        description: 'field names of the value, widest stage first',
      }),
    ),
    labels: Type.Optional(
      Type.Union(
        Object.keys(LABEL_SETS).map((k) => Type.Literal(k)),
        { default: 'rx_stage', description: `display names of the stages: one of ${Object.keys(LABEL_SETS).join(', ')}` },
      ),
    ),
  },
  { additionalProperties: false },
);

interface Stage {
  key: string;
  count: number | null;
}

/**
 * A conversion funnel (`rx.funnel`: issued → review started → approved): one bar a stage, its width
 * proportional to the count against the widest stage, and the conversion from the stage before as an
 * exact percent of the two integers. Drawn with DOM rather than G2: a handful of bars stays crisp and
 * costs nothing to update every second. `data-shown` lists `[stage, count]` in display order.
 */
@customElement('rx-funnel')
export class RxFunnel extends LitElement {
  @property() label = '';
  @property({ reflect: true }) override lang: Lang = 'zh-CN';
  @property({ reflect: true }) state: WidgetState = 'loading';
  /** The metric value exactly as the API returns it: an object of integer counts. */
  @property({ attribute: false }) value: unknown = null;
  @property({ attribute: false }) options: Record<string, unknown> = {};

  private stages: Stage[] = [];
  private labelSet: LabelSet = 'rx_stage';

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('value') || changed.has('options')) {
      const opts = readOptions(RxFunnelOptions, this.options);
      this.labelSet = (opts.labels ?? 'rx_stage') as LabelSet;
      const v = this.value !== null && typeof this.value === 'object' ? (this.value as Record<string, unknown>) : null;
      this.stages = v ? (opts.stages ?? []).map((key) => ({ key, count: numberOr(v[key]) })) : [];
      this.setAttribute('data-shown', JSON.stringify(this.stages.map((s) => [s.key, s.count])));
    }
  }

  protected override render(): TemplateResult {
    const lang = normalizeLang(this.lang);
    const text = widgetText(lang);
    const loading = this.state === 'loading';
    const stages = this.stages;
    const empty = stages.every((s) => s.count === null);
    const first = stages[0]?.count ?? null;
    const last = stages.at(-1)?.count ?? null;
    return html`
      <div class="frame" aria-busy=${loading ? 'true' : 'false'}>
        <div class="head">
          <span class="label">${this.label}</span>
          ${this.state === 'stale' ? html`<span class="badge">${text.stale}</span>` : nothing}
          ${!loading && !empty && stages.length > 1 && first !== null && last !== null
            ? html`<span class="overall">${lang === 'en' ? 'Overall' : '总转化'}<b part="overall">${formatPercent(last, first, lang)}</b></span>`
            : nothing}
        </div>
        <div class="body">
          ${loading
            ? html`${[92, 70, 52].map((w) => html`<div class="skeleton" style="width:${w}%"></div>`)}`
            : empty
              ? html`<div class="empty" part="empty">${text.noData}</div>`
              : html`<div class="stages">${stages.map((s, i) => this.renderStage(s, i, lang))}</div>`}
        </div>
      </div>
    `;
  }

  private renderStage(s: Stage, i: number, lang: Lang): TemplateResult {
    let max = 0;
    for (const st of this.stages) if (st.count !== null && st.count > max) max = st.count;
    // At least a sliver, so a zero stage still reads as a bar of this funnel.
    const width = s.count === null || max === 0 ? 4 : Math.max((s.count / max) * 100, 4);
    const before = i > 0 ? this.stages[i - 1].count : null;
    const conversion = i > 0 && before !== null && s.count !== null ? formatPercent(s.count, before, lang) : DASH;
    return html`
      ${i > 0
        ? html`<div class="step" part="conversion"><span class="arrow">▼</span>${lang === 'en' ? 'Conversion' : '转化率'}<b>${conversion}</b></div>`
        : nothing}
      <div class="stage" part="stage" data-stage=${s.key}>
        <span class="name">${labelOf(LABEL_SETS[this.labelSet], s.key, lang)}</span>
        <div class="lane"><div class="bar" style="width:${width}%; --i:${i}"></div></div>
        <span class="count" part="count">${s.count === null ? DASH : formatCount(s.count, lang)}</span>
      </div>
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
    .overall { margin-left: auto; flex: none; font-size: 18px; color: #64748b; white-space: nowrap; }
    .overall b { margin-left: 10px; font-size: 26px; color: #22d3ee; font-variant-numeric: tabular-nums; }
    .body { position: relative; flex: 1; min-height: 0; margin-top: 8px; display: flex; flex-direction: column; justify-content: center; }
    .stages { display: flex; flex-direction: column; transition: opacity 0.4s; }
    :host([state='stale']) .stages { opacity: 0.4; filter: grayscale(0.7); }
    .stage { display: grid; grid-template-columns: 6.5em 1fr 6em; align-items: center; gap: 16px; min-height: 60px; }
    .name { font-size: 20px; color: #e2e8f0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .lane { display: flex; justify-content: center; height: 52px; }
    .bar {
      height: 100%;
      border-radius: 3px;
      /* Each stage a little deeper: the funnel reads top to bottom without a legend. */
      background: linear-gradient(90deg, rgba(34, 211, 238, calc(0.85 - var(--i) * 0.15)), rgba(14, 116, 144, calc(0.85 - var(--i) * 0.15)));
      box-shadow: 0 0 14px rgba(34, 211, 238, 0.25);
      transition: width 0.6s ease-out;
    }
    .count { font-size: 28px; font-weight: 700; color: #f1f5f9; text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    .step { display: flex; align-items: baseline; justify-content: center; gap: 8px; font-size: 18px; color: #64748b; line-height: 2.2; }
    .step .arrow { font-size: 12px; color: #22d3ee; }
    .step b { font-size: 20px; color: #7dd3fc; font-variant-numeric: tabular-nums; }
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
      height: 40px;
      margin: 12px auto;
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
      .bar, .stages { transition: none; }
    }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'rx-funnel': RxFunnel;
  }
}
