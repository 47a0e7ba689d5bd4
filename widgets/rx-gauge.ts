import { css, html, nothing, svg, type PropertyValues, type TemplateResult } from 'lit';
import { customElement } from 'lit/decorators.js';
import { CardElement, boardCardStyles, cardFrame, cardState, dialSkeletonStyles } from './card.js';
import { DASH, formatBp, formatYuanShort, normalizeLang, numberOf, type Lang } from './format.js';
import { CHANNEL_LABELS, labelOf } from './labels.js';
import { RxGaugeOptions } from './options.js';

export { RxGaugeOptions };

/** The value of sales.gmv_vs_target, as the API returns it. */
interface ChannelProgress {
  channel: string;
  gmv_fen: number | null;
  target_fen: number | null;
  progress_bp: number | null;
}
interface Progress {
  gmv_fen: number | null;
  target_fen: number | null;
  progress_bp: number | null;
  by_channel: ChannelProgress[];
}

const TEXT = {
  'zh-CN': { progress: '目标达成', gmv: '成交额', target: '目标', noTarget: '未设目标' },
  en: { progress: 'of target', gmv: 'GMV', target: 'Target', noTarget: 'No target' },
} as const;

/** Reads the metric value defensively: anything not shaped like it is "no data". */
function progressOf(value: unknown): Progress | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const gmv = numberOf(v.gmv_fen);
  if (gmv === null) return null;
  const rows = Array.isArray(v.by_channel) ? v.by_channel : [];
  const by_channel = rows
    .filter((r): r is Record<string, unknown> => r !== null && typeof r === 'object' && typeof (r as Record<string, unknown>).channel === 'string')
    .map((r) => ({
      channel: r.channel as string,
      gmv_fen: numberOf(r.gmv_fen),
      target_fen: numberOf(r.target_fen),
      progress_bp: numberOf(r.progress_bp),
    }));
  return { gmv_fen: gmv, target_fen: numberOf(v.target_fen), progress_bp: numberOf(v.progress_bp), by_channel };
}

// Ring geometry in SVG user units (the SVG scales with its box).
const R = 84;
const STROKE = 18;
const CIRC = 2 * Math.PI * R;
/** The ring is a 270° arc open at the bottom: the classic gauge, and room for the caption. */
const SWEEP = 0.75;

/**
 * Progress towards the sales target: a ring with the achieved share (a second, gold lap past 100%),
 * the GMV and the target, and optionally one bar per channel. Pure view of sales.gmv_vs_target.
 */
@customElement('rx-gauge')
export class RxGauge extends CardElement<RxGaugeOptions> {
  private data: Progress | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('value')) this.data = progressOf(this.value);
  }

  protected override updated(): void {
    const d = this.state === 'loading' ? null : this.data;
    if (!d) {
      this.removeAttribute('data-shown');
      return;
    }
    const shown: Array<[string, number | null]> = [
      ['progress_bp', d.target_fen === null ? null : d.progress_bp],
      ['gmv_fen', d.gmv_fen],
      ['target_fen', d.target_fen],
    ];
    // Channels by their displayed name, in display order.
    const lang = normalizeLang(this.lang);
    if (this.showChannels) for (const c of d.by_channel) shown.push([labelOf(CHANNEL_LABELS, c.channel, lang), c.target_fen === null ? null : c.progress_bp]);
    this.setAttribute('data-shown', JSON.stringify(shown));
  }

  private get showChannels(): boolean {
    return (this.options as RxGaugeOptions | null)?.channels === true && (this.data?.by_channel.length ?? 0) > 0;
  }

  protected override render(): TemplateResult {
    const lang = normalizeLang(this.lang);
    const loading = this.state === 'loading';
    const d = loading ? null : this.data;
    const skeleton = html`<div class="skeleton" part="skeleton"><i class="ring-sk"></i><i class="bar-sk"></i></div>`;
    return cardFrame(this, lang, cardState(loading, !d, lang, skeleton, () => this.renderGauge(d as Progress, lang)), nothing, 'card');
  }

  private renderGauge(d: Progress, lang: Lang): TemplateResult {
    const t = TEXT[lang];
    const bp = d.target_fen !== null ? d.progress_bp : null;
    const channels = this.showChannels;
    return html`
      <div class="main ${channels ? 'with-channels' : ''}">
        <div class="dial" part="dial">
          ${this.renderRing(bp)}
          <div class="center">
            ${bp === null
              ? html`<span class="pct none" part="progress">${t.noTarget}</span>`
              : html`<span class="pct ${bp >= 10_000 ? 'done' : ''}" part="progress">${formatBp(bp, lang, 2)}</span>
                  <span class="cap">${t.progress}</span>`}
          </div>
        </div>
        <div class="figures">
          <div class="fig">
            <span class="k">${t.gmv}</span>
            <span class="money" part="gmv">${formatYuanShort(d.gmv_fen ?? 0, lang)}</span>
          </div>
          <div class="fig">
            <span class="k">${t.target}</span>
            <span class="target" part="target">${d.target_fen === null ? t.noTarget : formatYuanShort(d.target_fen, lang)}</span>
          </div>
        </div>
        ${channels ? this.renderChannels(d.by_channel, lang) : nothing}
      </div>
    `;
  }

  /** 270° track; cyan arc up to 100%, a gold second lap for what is beyond (capped at 200%). */
  private renderRing(bp: number | null): TemplateResult {
    const arc = (share: number): string => `${(Math.max(0, Math.min(share, 1)) * SWEEP * CIRC).toFixed(2)} ${CIRC.toFixed(2)}`;
    const first = bp === null ? 0 : bp / 10_000;
    const over = bp === null ? 0 : bp / 10_000 - 1;
    // Rotated so the open side of the 270° arc is at the bottom.
    return html`<svg class="ring" viewBox="0 0 200 200" aria-hidden="true">
      <g transform="rotate(135 100 100)">
        ${svg`<circle class="track" cx="100" cy="100" r=${R} stroke-width=${STROKE} stroke-dasharray=${arc(1)}></circle>`}
        ${first > 0 ? svg`<circle class="arc" cx="100" cy="100" r=${R} stroke-width=${STROKE} stroke-dasharray=${arc(first)}></circle>` : nothing}
        ${over > 0 ? svg`<circle class="over" cx="100" cy="100" r=${R} stroke-width=${STROKE - 8} stroke-dasharray=${arc(over)}></circle>` : nothing}
      </g>
    </svg>`;
  }

  private renderChannels(rows: ChannelProgress[], lang: Lang): TemplateResult {
    const t = TEXT[lang];
    return html`<ul class="channels" part="channels">
      ${rows.map((c) => {
        const bp = c.target_fen !== null ? c.progress_bp : null;
        const width = bp === null ? 0 : Math.max(0, Math.min(bp / 100, 100));
        return html`<li>
          <span class="cname">${labelOf(CHANNEL_LABELS, c.channel, lang)}</span>
          <span class="cbar"><i class=${bp !== null && bp >= 10_000 ? 'done' : ''} style="transform: scaleX(${(width / 100).toFixed(4)})"></i></span>
          <span class="cpct ${bp === null ? 'none' : ''}">${bp === null ? t.noTarget : formatBp(bp, lang)}</span>
          <span class="cgmv">${c.gmv_fen === null ? DASH : formatYuanShort(c.gmv_fen, lang)}</span>
        </li>`;
      })}
    </ul>`;
  }

  static override styles = [
    boardCardStyles,
    dialSkeletonStyles,
    css`
      :host {
        min-height: 220px;
        container-type: size;
        --rx-cyan: #22d3ee;
        --rx-gold: #fbbf24;
      }
      /* A little more padding at the bottom and a deeper background than other frames. */
      .frame.card { position: relative; padding-bottom: 16px; background: linear-gradient(180deg, rgba(14, 42, 84, 0.55), rgba(5, 14, 34, 0.35)); }
      .label { border-left-color: var(--rx-cyan); }
      .badge { color: var(--rx-gold); }
      .body { container-type: size; }
      :host([state='stale']) .main { opacity: 0.4; filter: grayscale(0.7); }
      .main {
        height: 100%;
        display: grid;
        grid-template-columns: min(100cqh, 50cqw) 1fr;
        grid-template-rows: 1fr;
        align-items: center;
        gap: 4px 24px;
        transition: opacity 0.4s;
      }
      .main.with-channels { grid-template-columns: min(62cqh, 38cqw) 1fr; grid-template-rows: auto 1fr; }
      .main.with-channels .dial { grid-row: 1; }
      .main.with-channels .channels { grid-column: 1 / -1; grid-row: 2; }
      .dial { position: relative; aspect-ratio: 1; width: 100%; max-height: 100%; justify-self: center; container-type: inline-size; }
      .ring { display: block; width: 100%; height: 100%; }
      .ring circle { fill: none; stroke-linecap: round; }
      .track { stroke: rgba(148, 163, 184, 0.16); }
      .arc { stroke: var(--rx-cyan); filter: drop-shadow(0 0 6px rgba(34, 211, 238, 0.55)); }
      .over { stroke: var(--rx-gold); }
      .center {
        position: absolute; inset: 0; display: flex; flex-direction: column; align-items: center; justify-content: center;
        text-align: center; padding: 0 14%;
      }
      .pct {
        font-size: max(18px, 14.5cqi); font-weight: 700; color: var(--rx-cyan); line-height: 1.1; white-space: nowrap;
        font-variant-numeric: tabular-nums; text-shadow: 0 0 0.3em rgba(34, 211, 238, 0.35);
      }
      .pct.done { color: var(--rx-gold); text-shadow: 0 0 0.3em rgba(251, 191, 36, 0.35); }
      .pct.none { font-size: max(18px, 11cqi); color: #94a3b8; text-shadow: none; font-weight: 500; white-space: normal; }
      .cap { font-size: max(18px, 8cqi); color: #94a3b8; margin-top: 0.2em; white-space: nowrap; }
      .figures { display: flex; flex-direction: column; gap: 14px; min-width: 0; }
      .main.with-channels .figures { gap: 8px; }
      .fig { display: flex; flex-direction: column; min-width: 0; }
      .k { font-size: 18px; color: #94a3b8; white-space: nowrap; }
      .money, .target { font-variant-numeric: tabular-nums; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; line-height: 1.2; }
      .money { font-size: clamp(24px, 6.5cqw, 52px); font-weight: 700; color: var(--rx-gold); }
      .target { font-size: clamp(20px, 4.8cqw, 34px); color: #e2e8f0; }
      .channels { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; justify-content: space-evenly; align-self: stretch; min-height: 0; overflow: hidden; }
      .channels li {
        display: grid; grid-template-columns: 4.6em minmax(40px, 1fr) 4.4em 5.8em; align-items: center; gap: 10px;
        font-size: 18px; line-height: 1.5; white-space: nowrap; font-variant-numeric: tabular-nums;
      }
      :host([lang='en']) .channels li { grid-template-columns: 5.6em minmax(40px, 1fr) 5.2em 4.6em; }
      .cname { color: #e2e8f0; overflow: hidden; text-overflow: ellipsis; }
      .cbar { height: 10px; border-radius: 5px; background: rgba(148, 163, 184, 0.16); overflow: hidden; }
      .cbar i { display: block; height: 100%; background: var(--rx-cyan); transform-origin: left; transition: transform 0.6s ease-out; }
      .cbar i.done { background: var(--rx-gold); }
      .cpct { text-align: right; color: var(--rx-cyan); overflow: hidden; text-overflow: ellipsis; }
      .cpct.none { color: #64748b; }
      .cgmv { text-align: right; color: var(--rx-gold); overflow: hidden; text-overflow: ellipsis; }
      /* A narrow card keeps name, bar and share per channel; the amounts go first. */
      @container (max-width: 360px) {
        .channels li, :host([lang='en']) .channels li { grid-template-columns: 5.2em minmax(30px, 1fr) 5.4em; }
        .cgmv { display: none; }
      }
      .ring-sk { height: 80%; }
      .bar-sk { flex: 1; height: 28%; }
      @media (prefers-reduced-motion: reduce) {
        .cbar i, .main { transition: none; }
      }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'rx-gauge': RxGauge;
  }
}
