import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement } from 'lit/decorators.js';
import { CardElement, cardFrame, cardState, rowCardStyles } from './card.js';
import { DASH, formatCount, formatPercent, normalizeLang, type Lang } from './format.js';
import { numberOr, readOptions } from './format-extra.js';
import { LABEL_SETS, labelOf, type LabelSet } from './labels.js';
import { RxFunnelOptions } from './options.js';

export { RxFunnelOptions };

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
export class RxFunnel extends CardElement<RxFunnelOptions> {
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
    const loading = this.state === 'loading';
    const stages = this.stages;
    const empty = stages.every((s) => s.count === null);
    const first = stages[0]?.count ?? null;
    const last = stages.at(-1)?.count ?? null;
    const overall = !loading && !empty && stages.length > 1 && first !== null && last !== null
      ? html`<span class="overall">${lang === 'en' ? 'Overall' : '总转化'}<b part="overall">${formatPercent(last, first, lang)}</b></span>`
      : nothing;
    const skeleton = [92, 70, 52].map((w) => html`<div class="skeleton" style="width:${w}%"></div>`);
    const body = cardState(loading, empty, lang, skeleton, () => html`<div class="stages">${stages.map((s, i) => this.renderStage(s, i, lang))}</div>`);
    return cardFrame(this, lang, body, overall);
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

  static override styles = [
    rowCardStyles,
    css`
      .overall { margin-left: auto; flex: none; font-size: 18px; color: #64748b; white-space: nowrap; }
      .overall b { margin-left: 10px; font-size: 26px; color: #22d3ee; font-variant-numeric: tabular-nums; }
      .body { display: flex; flex-direction: column; justify-content: center; }
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
      .skeleton { height: 40px; margin: 12px auto; }
      @media (prefers-reduced-motion: reduce) {
        .bar, .stages { transition: none; }
      }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'rx-funnel': RxFunnel;
  }
}
