// The card every rx-* widget draws in: the base classes with the public properties (CardElement, and
// RowCardElement for lists of fixed-height rows), the stylesheets (host, frame, head with label and stale
// badge, body, "no data", skeletons), the frame/head/state templates, and a controller that watches the
// body's size. A widget lists the card's styles first in its `styles` and adds its own rules after them, so
// a rule of its own (a taller skeleton, a wider badge) wins over the card's.
import { LitElement, css, html, nothing, type PropertyValues, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { widgetText, type Lang, type WidgetState } from './format.js';
import { rowsThatFit } from './format-extra.js';

/**
 * The public properties of every widget that draws a metric value through its options (all but rx-kpi and
 * rx-line): the screen runtime sets them, the element never fetches. `O` is the type of its options.
 */
export class CardElement<O = Record<string, unknown>> extends LitElement {
  @property() label = '';
  // Reflected so the host carries lang="zh-CN": Chromium then picks Simplified Chinese glyphs.
  @property({ reflect: true }) override lang: Lang = 'zh-CN';
  @property({ reflect: true }) state: WidgetState = 'loading';
  /** The metric value exactly as the API returns it. */
  @property({ attribute: false }) value: unknown = null;
  /** The widget's options from the screen file (widgets/options.ts). */
  @property({ attribute: false }) options: Record<string, unknown> = {};

  /** The options as given, typed; defaults are applied where they are read. */
  protected get o(): O {
    return (this.options ?? {}) as O;
  }

  /** Whether the drawn rows depend on this change: value, options, language, state, or one of `more`. */
  protected drawnChanged(changed: PropertyValues, ...more: string[]): boolean {
    return ['value', 'options', 'lang', 'state', ...more].some((k) => changed.has(k));
  }

  /** Mirrors what is drawn into `data-shown` (for tests and diagnostics); null removes it (loading). */
  protected setShown(shown: unknown[] | null): void {
    if (shown === null) this.removeAttribute('data-shown');
    else this.setAttribute('data-shown', JSON.stringify(shown));
  }
}

/**
 * A card of fixed-height rows (band, alert feed, countdown): `capacity` is how many whole rows its body has
 * room for, measured by a ResizeObserver, so a list never ends in a half-cut row.
 */
export abstract class RowCardElement<O, R> extends CardElement<O> {
  /** Row height and gap in CSS px (kept equal to the stylesheet's .row and .rows). */
  protected abstract readonly rowPx: number;
  protected abstract readonly gapPx: number;
  /** Rows of the value up to the `limit` option, fitting or not. */
  protected listed: R[] = [];
  /** Rows the body has room for (never a half row); unlimited until the body is measured. */
  @state() protected capacity = Number.POSITIVE_INFINITY;
  protected readonly bodySize = new ResizeWatch(this, (box) => {
    this.capacity = rowsThatFit(box.height, this.rowPx, this.gapPx);
  });

  /** Whether the rows drawn may change: a new value, new options or a new capacity. */
  protected rowsChanged(changed: PropertyValues): boolean {
    return changed.has('value') || changed.has('options') || changed.has('capacity');
  }

  /** The rows of `listed` that fit, mirrored into `data-shown` as `shown` of each. */
  protected fitRows(shown: (row: R) => unknown): R[] {
    const rows = this.listed.slice(0, this.capacity);
    this.setShown(rows.map(shown));
    return rows;
  }
}

/** The host, the frame, the head (label and stale badge), the body and the "no data" overlay. */
export const cardStyles = css`
  :host {
    display: block;
    height: 100%;
    min-height: 120px; /* a screen cell sets the height; this only keeps a card readable on its own */
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
    line-height: 1.35; /* room for Latin descenders under overflow: hidden */
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .badge { flex: none; font-size: 14px; padding: 1px 8px; border: 1px solid rgba(251, 191, 36, 0.6); border-radius: 3px; color: #fbbf24; }
  .body { position: relative; flex: 1; min-height: 0; margin-top: 8px; }
  .empty { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; font-size: 24px; letter-spacing: 0.2em; color: #475569; }
  @keyframes shimmer {
    from { background-position: 100% 0; }
    to { background-position: -100% 0; }
  }
`;

/** The moving grey of a placeholder: `${shimmer}` inside a rule of a widget's skeleton. */
export const shimmer = css`
  background: linear-gradient(90deg, rgba(148, 163, 184, 0.08) 25%, rgba(148, 163, 184, 0.2) 50%, rgba(148, 163, 184, 0.08) 75%);
  background-size: 200% 100%;
  animation: shimmer 1.6s linear infinite;
`;

/**
 * A card that never grows past its grid cell: a scroll container has no min-content floor in a 1fr grid
 * cell, so long text ellipsizes and never widens the screen.
 */
export const clippedHost = css`
  :host { overflow: hidden; min-width: 0; }
`;

/**
 * The chart and board widgets (bar, ring, top-N, list, gauge): a centred head with a larger badge that
 * matches their legends.
 */
export const boardCardStyles = [
  cardStyles,
  css`
    .head { align-items: center; }
    .badge { font-size: 18px; padding: 0 8px; }
  `,
];

/**
 * The row widgets (band, alert feed, countdown, funnel): clipped, three grey bars while loading (a widget
 * may change their height), rows dimmed while stale.
 */
export const rowCardStyles = [
  cardStyles,
  clippedHost,
  css`
    .skeleton { height: 48px; margin: 8px 0; border-radius: 6px; ${shimmer} }
    .rows { transition: opacity 0.4s; }
    :host([state='stale']) .rows { opacity: 0.4; filter: grayscale(0.7); }
    @media (prefers-reduced-motion: reduce) {
      .skeleton { animation: none; }
      .rows { transition: none; }
    }
  `,
];
/** A row tile with a coloured left edge (alert feed, countdown); the widget sets the edge's colour and the grid. */
export const edgeRow = css`
  display: grid;
  align-items: center;
  box-sizing: border-box;
  padding: 4px 12px;
  background: rgba(15, 23, 42, 0.55);
  border-radius: 2px;
`;
export const rowSkeleton = html`<div class="skeleton"></div><div class="skeleton"></div><div class="skeleton"></div>`;

/** Skeleton of a dial beside a block (ring, gauge): the widget sizes `.ring-sk` and the block. */
export const dialSkeletonStyles = css`
  .skeleton { position: absolute; inset: 0; display: flex; align-items: center; gap: 24px; }
  .skeleton i { display: block; border-radius: 8px; ${shimmer} }
  .ring-sk { aspect-ratio: 1; border-radius: 50% !important; }
  @media (prefers-reduced-motion: reduce) {
    .skeleton i { animation: none; }
  }
`;

/** Skeleton of the ranked and scrolling lists (top-N, list): grey lines of text. */
export const lineSkeletonStyles = css`
  .skeleton { display: flex; flex-direction: column; gap: 14px; }
  .skeleton i { display: block; height: 26px; border-radius: 4px; ${shimmer} }
  @media (prefers-reduced-motion: reduce) {
    .skeleton i { animation: none; }
  }
`;

/** The head: the label, the stale badge when the data is late, then whatever the widget adds (`extra`). */
/** Whether the display asks for less motion (then widgets skip rolls, glides and tickers). */
export function reducedMotion(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}

export function cardHead(label: string, state: WidgetState, lang: Lang, extra: unknown = nothing): TemplateResult {
  return html`<div class="head">
    <span class="label">${label}</span>
    ${state === 'stale' ? html`<span class="badge">${widgetText(lang).stale}</span>` : nothing}
    ${extra}
  </div>`;
}

/** The "no data" overlay (`text` replaces the words, e.g. the line's "loading"). */
export function cardEmpty(lang: Lang, text: string = widgetText(lang).noData): TemplateResult {
  return html`<div class="empty" part="empty">${text}</div>`;
}

/**
 * The frame of a card, marked busy while loading: the head (label, stale badge, `extra`) over the body.
 * `kind` is a class that varies the frame (the gauge's deeper background).
 */
export function cardFrame(el: CardElement<unknown>, lang: Lang, body: unknown, extra: unknown = nothing, kind = ''): TemplateResult {
  return html`
    <div class=${kind ? `frame ${kind}` : 'frame'} aria-busy=${el.state === 'loading' ? 'true' : 'false'}>
      ${cardHead(el.label, el.state, lang, extra)}
      <div class="body">${body}</div>
    </div>
  `;
}

/** What the body shows in each state: the skeleton while loading, "no data" when empty, else `content()`. */
export function cardState(loading: boolean, empty: boolean, lang: Lang, skeleton: unknown, content: () => unknown): unknown {
  return loading ? skeleton : empty ? cardEmpty(lang) : content();
}

/**
 * Watches the size of an element of the host's shadow DOM (default `.body`) from the first render to
 * disconnection, and again after a reconnection; `onResize` gets the content box on each change.
 */
export class ResizeWatch implements ReactiveController {
  private observer: ResizeObserver | null = null;
  /** The first render is done: from then on the element to watch exists. */
  private rendered = false;

  constructor(
    private readonly host: ReactiveControllerHost & { renderRoot: HTMLElement | DocumentFragment },
    private readonly onResize: (box: DOMRectReadOnly) => void,
    private readonly selector = '.body',
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    if (this.rendered) this.observe();
  }

  hostUpdated(): void {
    if (this.rendered) return;
    this.rendered = true;
    this.observe();
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    this.observer = null;
  }

  private observe(): void {
    const target = this.host.renderRoot.querySelector(this.selector);
    if (!target || this.observer) return;
    this.observer = new ResizeObserver(([entry]) => this.onResize(entry.contentRect));
    this.observer.observe(target);
  }
}
