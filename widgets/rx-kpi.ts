import { LitElement, css, html, nothing, unsafeCSS, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { cardHead, reducedMotion, shimmer } from './card.js';
import {
  DASH,
  formatValue,
  formatYuanExact,
  normalizeLang,
  widgetText,
  yuanParts,
  type Lang,
  type WidgetState,
} from './format.js';
import { KPI_FORMATS, type KpiFormat } from './options.js';

export { KPI_FORMATS, type KpiFormat };

/**
 * Width of text in em for Noto Sans CJK SC Bold with tabular digits (measured in Chromium);
 * anything else counts as a full em, so the estimate errs on the wide side.
 */
function advanceEm(text: string): number {
  let em = 0;
  for (const ch of text) em += ch >= '0' && ch <= '9' ? 0.59 : ch === ',' || ch === '.' ? 0.33 : ch === '-' ? 0.37 : ch === '¥' ? 0.59 : ch === ' ' ? 0.3 : 1;
  return em;
}

/** How long a digit rolls; short, because screens update every second. */
const ROLL_MS = 600;

/** One digit rolling from row `from` to row `to` of a 0–9,0–9 strip (rows ≥ 10 are the second lap). */
interface Roll {
  from: number;
  to: number;
}

const isDigit = (ch: string): boolean => ch >= '0' && ch <= '9';

/** Digits of a formatted number, last digit first (the units digit stays in place as the number grows). */
function digitsFromRight(text: string): number[] {
  return [...text].filter(isDigit).map(Number).reverse();
}

/**
 * Which digits roll, and how, when `before` becomes `after` (texts as shown): every digit that differs,
 * counted from the right. Rising values roll upwards through the strip, falling ones downwards.
 */
export function rollsBetween(before: string, after: string, rising: boolean): Map<number, Roll> {
  const a = digitsFromRight(before);
  const b = digitsFromRight(after);
  const rolls = new Map<number, Roll>();
  b.forEach((to, k) => {
    const from = a[k] ?? 0;
    if (from === to) return;
    if (rising) rolls.set(k, { from, to: to >= from ? to : to + 10 });
    else rolls.set(k, { from: from >= to ? from : from + 10, to });
  });
  return rolls;
}

/**
 * One big number on the wall: today's GMV, order count…
 *
 * Pure view: the screen runtime sets the properties; the element never fetches. It mirrors the raw
 * integer into `data-value` so e2e tests can compare what is shown with what the API returned, and
 * the text of `[part=value]` is exactly `formatYuanShort` / `formatCount` of that integer.
 */
@customElement('rx-kpi')
export class RxKpi extends LitElement {
  @property() label = '';
  /** Integer: fen when `format` is 'yuan', a plain count otherwise; null when not known. */
  @property({ attribute: false }) value: number | null = null;
  @property({ reflect: true }) format: KpiFormat = 'count';
  // Reflected so the host carries lang="zh-CN": Chromium then picks Simplified Chinese glyphs.
  @property({ reflect: true }) override lang: Lang = 'zh-CN';
  @property({ reflect: true }) state: WidgetState = 'loading';
  @property() sublabel?: string;
  /** Change against a reference (same unit as `value`), shown as ▲/▼ under the number; null hides it. */
  @property({ attribute: false }) delta: number | null = null;
  /** What the delta compares with, e.g. 较昨日 / vs yesterday. */
  @property() deltaLabel?: string;

  /** A change to flash once rendered (updated() starts it on the glow element). */
  private flashDue = false;
  private glowAnimation: Animation | null = null;
  /** Digits rolling since the last change, by position from the right; empty when settled. */
  private rolls = new Map<number, Roll>();
  /** Alternates like `flash`, so a change during a roll restarts it. */
  private rollName: 'roll-a' | 'roll-b' = 'roll-b';

  protected override willUpdate(changed: PropertyValues<this>): void {
    const before = changed.get('value');
    // Flash only when one known number replaces another, not on the first value or a reset.
    if (changed.has('value') && typeof before === 'number' && this.value !== null && before !== this.value) {
      this.flashDue = true;
      const lang = normalizeLang(this.lang);
      const shown = Number.isFinite(before) && Number.isFinite(this.value) && this.state !== 'loading';
      this.rolls = shown && !reducedMotion() ? rollsBetween(this.digitText(before, lang), this.digitText(this.value, lang), this.value > before) : new Map();
      if (this.rolls.size > 0) {
        this.rollName = this.rollName === 'roll-a' ? 'roll-b' : 'roll-a';
        clearTimeout(this.rollTimer);
        this.rollTimer = setTimeout(() => this.settleRoll(), ROLL_MS + 250);
      }
    } else if (changed.has('value') || changed.has('format') || changed.has('lang')) {
      this.rolls = new Map();
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this.flashDue) {
      this.flashDue = false;
      // The glow is one element that stays (its own layer, rasterized once); only its opacity animates, on
      // the compositor. A class toggled per change made a new pseudo-element and layer each time: on a 4K
      // wall that raster was most of the page's long tasks (issue 17, item 7).
      const glow = reducedMotion() ? null : this.renderRoot.querySelector<HTMLElement>('.glow');
      if (glow) {
        this.glowAnimation?.cancel();
        this.glowAnimation = glow.animate([{ opacity: 1 }, { opacity: 0 }], { duration: 600, easing: 'ease-out' });
      }
    }
    if (changed.has('value')) {
      if (this.value === null) this.removeAttribute('data-value');
      else this.setAttribute('data-value', String(this.value));
    }
    if (changed.has('delta')) {
      if (this.delta === null || !Number.isFinite(this.delta)) this.removeAttribute('data-delta');
      else this.setAttribute('data-delta', String(this.delta));
    }
  }

  /** The text whose digits roll: the number part of a money figure, the whole text otherwise. */
  private digitText(value: number, lang: Lang): string {
    return this.format === 'yuan' ? yuanParts(value, lang).number : formatValue(this.format, value, lang);
  }

  /**
   * The roll is over (its animation ended, or was cancelled because the card left the render tree): drop the
   * classes, which also show the real digits again. A timer backs the events up, since a digit hidden for
   * the roll must never stay hidden.
   */
  private readonly onAnimationEnd = (e: AnimationEvent): void => {
    if (e.animationName === this.rollName) this.settleRoll();
  };
  private rollTimer: ReturnType<typeof setTimeout> | undefined;
  private settleRoll(): void {
    clearTimeout(this.rollTimer);
    this.rollTimer = undefined;
    if (this.rolls.size === 0) return;
    this.rolls = new Map();
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.settleRoll();
  }

  protected override render(): TemplateResult {
    const lang = normalizeLang(this.lang);
    const text = widgetText(lang);
    const loading = this.state === 'loading';
    const value = !loading && typeof this.value === 'number' && Number.isFinite(this.value) ? this.value : null;
    const yuan = this.format === 'yuan';
    return html`
      <div class="card" aria-busy=${loading ? 'true' : 'false'}>
        ${cardHead(this.label, this.state, lang)}
        ${this.sublabel ? html`<div class="sub">${this.sublabel}</div>` : nothing}
        <div
          part="value"
          class="value ${loading ? 'loading' : ''}"
          title=${loading ? text.loading : ''}
          style="--fit-em: ${value === null ? 1 : this.widthEm(value, lang).toFixed(2)}"
          @animationend=${this.onAnimationEnd}
          @animationcancel=${this.onAnimationEnd}
          ><i class="glow" aria-hidden="true"></i>${value === null ? DASH : this.renderNumber(value, lang)}</div
        >
        ${yuan
          ? this.renderExact(value === null ? '\u00a0' : formatYuanExact(value, lang))
          : nothing}
        ${this.renderDelta(loading, lang)}
      </div>
    `;
  }

  private renderDelta(loading: boolean, lang: Lang): TemplateResult | typeof nothing {
    const d = this.delta;
    if (loading || d === null || typeof d !== 'number' || !Number.isFinite(d)) return nothing;
    const dir = d > 0 ? 'up' : d < 0 ? 'down' : 'flat';
    const arrow = d > 0 ? '▲' : d < 0 ? '▼' : '–';
    return html`<div part="delta" class="delta ${dir}"
      ><span class="arrow">${arrow}</span><span class="amount">${formatValue(this.format, Math.abs(d), lang)}</span>${this.deltaLabel
        ? html`<span class="dlabel">${this.deltaLabel}</span>`
        : nothing}</div
    >`;
  }

  private renderExact(text: string): TemplateResult {
    return html`<div part="exact" class="exact" style="--fit-em: ${(advanceEm(text) * 1.05).toFixed(2)}">${text}</div>`;
  }

  /** Width of the big number in em (symbol and unit are drawn smaller), plus 5% to spare. */
  private widthEm(value: number, lang: Lang): number {
    if (this.format !== 'yuan') return advanceEm(formatValue(this.format, value, lang)) * 1.05;
    const p = yuanParts(value, lang);
    const unit = p.unit ? 0.45 * (advanceEm(p.unit) + 0.1) : 0;
    return (0.5 * (advanceEm(p.sign + p.symbol) + 0.08) + advanceEm(p.number) + unit) * 1.05;
  }

  // No whitespace between the spans: the part's textContent must equal the formatter output.
  private renderNumber(value: number, lang: Lang): TemplateResult {
    if (this.format !== 'yuan') return html`<span class="num">${this.renderDigits(formatValue(this.format, value, lang))}</span>`;
    const p = yuanParts(value, lang);
    return html`<span class="sym">${p.sign}${p.symbol}</span><span class="num">${this.renderDigits(p.number)}</span>${p.unit
      ? html`<span class="unit">${p.unit}</span>`
      : nothing}`;
  }

  /**
   * Each digit in its own box; a rolling one draws its 0–9 strip in a ::before pseudo-element, which
   * is not text: textContent and innerText stay exactly the formatted number at every moment. The real
   * digit is hidden (opacity) while the strip rolls over it, by transform only.
   */
  private renderDigits(text: string): Array<TemplateResult | string> {
    const chars = [...text];
    let k = chars.filter(isDigit).length;
    return chars.map((ch) => {
      if (!isDigit(ch)) return ch;
      const roll = this.rolls.get(--k);
      if (!roll) return html`<span class="d"><span class="g">${ch}</span></span>`;
      // The strip holds only the rows the roll passes (lo … hi), not both laps of 0–9: on a 4K wall each
      // rolling digit's strip is a layer of big glyphs rasterized at twice the size, and twenty rows of them
      // per digit, every second, made long tasks (issue 17, item 7).
      const lo = Math.min(roll.from, roll.to);
      const hi = Math.max(roll.from, roll.to);
      const strip = Array.from({ length: hi - lo + 1 }, (_, i) => (lo + i) % 10).join('\\A ');
      return html`<span class="d ${this.rollName}" style="--from:${roll.from - lo};--to:${roll.to - lo};--strip:'${strip}'"><span class="g">${ch}</span></span>`;
    });
  }

  static override styles = css`
    :host {
      display: block;
      height: 100%;
      box-sizing: border-box;
      /* The number scales with the width the screen gives the card. */
      container-type: inline-size;
      font-family: var(--rx-font, 'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif);
      color: #cbd5e1;
      --rx-cyan: #22d3ee;
      --rx-gold: #fbbf24;
    }
    .card {
      position: relative;
      height: 100%;
      box-sizing: border-box;
      padding: 18px 24px 20px;
      display: flex;
      flex-direction: column;
      justify-content: center;
      gap: 6px;
      background: linear-gradient(180deg, rgba(14, 42, 84, 0.55), rgba(5, 14, 34, 0.35));
      border: 1px solid rgba(34, 211, 238, 0.16);
      border-radius: 4px;
      box-shadow: inset 0 0 32px rgba(34, 211, 238, 0.06);
    }
    /* Corner brackets: the usual wall-display frame, drawn without images. */
    .card::before,
    .card::after {
      content: '';
      position: absolute;
      width: 14px;
      height: 14px;
      border: 2px solid var(--rx-cyan);
      pointer-events: none;
    }
    .card::before { top: -1px; left: -1px; border-right: 0; border-bottom: 0; }
    .card::after { bottom: -1px; right: -1px; border-left: 0; border-top: 0; }
    .head { display: flex; align-items: center; gap: 12px; min-width: 0; }
    .label {
      font-size: var(--rx-kpi-label-size, 22px);
      letter-spacing: 0.06em;
      color: #e2e8f0;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
      padding-left: 12px;
      border-left: 4px solid var(--rx-cyan);
      line-height: 1.35; /* room for Latin descenders under overflow: hidden */
    }
    .badge {
      flex: none;
      font-size: 14px;
      padding: 1px 8px;
      border: 1px solid rgba(251, 191, 36, 0.6);
      border-radius: 3px;
      color: var(--rx-gold);
    }
    .sub { font-size: 15px; color: #64748b; padding-left: 16px; white-space: nowrap; }
    .value {
      /* The screen may set the size; it only shrinks when the number would not fit the card.
         50px = the card's side padding and borders; --fit-em is set per value by render(). */
      font-size: min(var(--rx-kpi-value-size, clamp(28px, 12cqi, 120px)), calc((100cqi - 50px) / var(--fit-em, 1)));
      font-weight: 700;
      line-height: 1.15;
      white-space: nowrap;
      font-variant-numeric: tabular-nums;
      color: var(--rx-cyan);
      text-shadow: 0 0 0.3em rgba(34, 211, 238, 0.35);
      transition: opacity 0.4s;
    }
    .sym { font-size: 0.5em; margin-right: 0.08em; color: var(--rx-gold); text-shadow: none; }
    .unit { font-size: 0.45em; margin-left: 0.1em; color: var(--rx-gold); text-shadow: none; font-weight: 500; }
    .exact {
      font-size: min(var(--rx-kpi-exact-size, 18px), calc((100cqi - 50px) / var(--fit-em, 1)));
      color: #94a3b8;
      font-variant-numeric: tabular-nums;
      white-space: nowrap;
    }
    /* Digits: inline-block keeps the baseline (the box is one line tall), so the strip rows line up with it. */
    .d { display: inline-block; position: relative; }
    /* overflow: clip (unlike hidden) keeps the inline-block's baseline; only the vertical strip is cut. */
    .roll-a, .roll-b { overflow-x: visible; overflow-y: clip; }
    .roll-a::before,
    .roll-b::before {
      content: var(--strip);
      position: absolute;
      left: 0;
      right: 0;
      top: 0;
      white-space: pre;
      text-align: center;
      opacity: 0;
      will-change: transform;
      pointer-events: none;
    }
    .roll-a::before { animation: roll-a ${unsafeCSS(ROLL_MS)}ms cubic-bezier(0.2, 0.7, 0.2, 1); }
    .roll-b::before { animation: roll-b ${unsafeCSS(ROLL_MS)}ms cubic-bezier(0.2, 0.7, 0.2, 1); }
    /* Hidden by a plain style, not an animation: the roll classes go when the strip's animation ends. */
    .roll-a > .g, .roll-b > .g { opacity: 0; }
    /* One row of the strip is one line: 1.15em, the line-height of .value. */
    @keyframes roll-a {
      from { opacity: 1; transform: translateY(calc(var(--from) * -1.15em)); }
      to { opacity: 1; transform: translateY(calc(var(--to) * -1.15em)); }
    }
    @keyframes roll-b {
      from { opacity: 1; transform: translateY(calc(var(--from) * -1.15em)); }
      to { opacity: 1; transform: translateY(calc(var(--to) * -1.15em)); }
    }
    .delta {
      display: flex;
      align-items: baseline;
      gap: 6px;
      min-width: 0;
      font-size: var(--rx-kpi-delta-size, 20px);
      font-variant-numeric: tabular-nums;
      white-space: nowrap;
      overflow: hidden;
    }
    .delta .arrow { font-size: 0.8em; }
    .delta.up { color: var(--rx-kpi-up, #34d399); }
    .delta.down { color: var(--rx-kpi-down, #f87171); }
    .delta.flat { color: #94a3b8; }
    .dlabel { color: #64748b; font-size: 18px; overflow: hidden; text-overflow: ellipsis; }
    :host([state='stale']) .delta { opacity: 0.4; }
    .loading {
      width: 55%;
      border-radius: 6px;
      color: transparent;
      text-shadow: none;
      ${shimmer}
    }
    :host([state='stale']) .value,
    :host([state='stale']) .exact { opacity: 0.4; filter: grayscale(0.7); }
    /* The flash: a glow behind the number that fades out, short and in the number's own hue (screens update
       every second, so a long or off-colour flash would leave the number permanently mid-flash). Only the
       opacity of its own layer animates: the compositor runs it, the page's main thread neither restyles
       nor repaints the big glowing text 60 times a second. */
    .value { position: relative; }
    .glow {
      position: absolute;
      inset: 0 -0.15em;
      border-radius: 0.3em;
      background: radial-gradient(closest-side, rgba(103, 232, 249, 0.32), rgba(103, 232, 249, 0));
      opacity: 0;
      will-change: opacity;
      pointer-events: none;
    }
    @keyframes shimmer {
      from { background-position: 100% 0; }
      to { background-position: -100% 0; }
    }
    @media (prefers-reduced-motion: reduce) {
      .loading { animation: none; }
      .roll-a::before, .roll-b::before { animation: none; }
      .roll-a > .g, .roll-b > .g { opacity: 1; }
      .roll-a, .roll-b { overflow: visible; }
      .value { transition: none; }
    }
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'rx-kpi': RxKpi;
  }
}
