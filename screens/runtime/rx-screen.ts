// <rx-screen>: loads the screen definition named by the URL (/screens/{id}), lays its widgets out on a
// 1920×1080 design canvas scaled to fit the display (letterboxed), binds each widget to its live metric,
// shows the clock in the business time zone and the freshness of the data, and, on a screen with
// `takeover: true`, a banner over the wall while a critical alert is open (rx-takeover.ts).
import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import { html as staticHtml, unsafeStatic } from 'lit/static-html.js';
import { LINK, LiveMetrics, type Freshness } from './live-metrics.ts';
import { pick, t, type Lang } from './i18n.ts';
import { takeToken } from './token.ts';
import { openCriticals, takeoverPolicy, type TakeoverAlert } from './rx-takeover.ts';
import { valueAt } from '../../widgets/format.js';
import type { Screen, ScreenWidget, ScaleMode } from '../schema.ts';

type WidgetDef = ScreenWidget;
type ScreenDef = Screen & { tz: string };

const DEFAULT_DESIGN = { width: 1920, height: 1080 };

/**
 * The local id of the takeover's `alerts.open` subscription. LiveMetrics keys its states by local id (a
 * widget id), and two ids on the same (metric, params) share one server subscription: both states get every
 * update, and `unwatch` unsubscribes on the server only when no other id holds that key. So the takeover
 * watches `alerts.open` as one more local id, beside any alert-feed widget on the same screen, and neither
 * can drop the other's values. Widget ids match `^[a-z0-9][a-z0-9-]*$`, so '@takeover' is never one.
 */
const TAKEOVER_ID = '@takeover';

/** Canvas size (design px) and scale for a display of w×h under a scaling mode. */
export function layoutFor(mode: ScaleMode, design: { width: number; height: number }, w: number, h: number): { width: number; height: number; scale: number } {
  switch (mode) {
    case 'fill-width':
      return { ...design, scale: w / design.width };
    case 'fill-height':
      return { ...design, scale: h / design.height };
    case 'relayout': {
      // Text keeps its size relative to the display height; the canvas takes the display's aspect ratio.
      const scale = h / design.height;
      return { width: Math.round(w / scale), height: design.height, scale };
    }
    default:
      return { ...design, scale: Math.min(w / design.width, h / design.height) };
  }
}

export class RxScreen extends LitElement {
  static override properties = { screen: { state: true }, error: { state: true }, scale: { state: true }, canvas: { state: true }, mobile: { state: true }, tick: { state: true } };
  declare screen: ScreenDef | null;
  declare error: string | null;
  declare scale: number;
  declare canvas: { width: number; height: number };
  /** A phone or a narrow window: widgets stack in one scrolling column at their natural size. */
  declare mobile: boolean;
  declare tick: number;
  private live: LiveMetrics | null = null;
  private clockTimer: number | undefined;
  private readonly urlLang: Lang | null = (() => {
    const l = new URLSearchParams(location.search).get('lang');
    return l === 'en' || l === 'zh-CN' ? l : null;
  })();
  /** URL ?lang= first, then the screen file's `lang`, then zh-CN. */
  private get uiLang(): Lang {
    return this.urlLang ?? this.screen?.lang ?? 'zh-CN';
  }
  /** The token: set by a paired wall (rx-display.ts), else taken from the URL or this browser's storage. */
  token: string | null = null;
  /** The screen: set by a paired wall, else the last path segment (/screens/{id}). */
  screenId = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() ?? '');
  private readyTold = false;
  private readonly onResize = () => this.fit();

  constructor() {
    super();
    this.screen = null;
    this.error = null;
    this.scale = 1;
    this.canvas = DEFAULT_DESIGN;
    this.mobile = false;
    this.tick = 0;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.documentElement.lang = this.uiLang;
    window.addEventListener('resize', this.onResize);
    this.fit();
    this.clockTimer = window.setInterval(() => (this.tick = this.now()), 1_000);
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('resize', this.onResize);
    window.clearInterval(this.clockTimer);
    this.live?.close();
  }

  /** The server's time (a display's own clock may be off). */
  private now(): number {
    return Date.now() + (this.live?.clockSkewMs ?? 0);
  }

  private fit(): void {
    this.mobile = window.innerWidth < 820;
    this.toggleAttribute('mobile', this.mobile);
    const l = layoutFor(this.screen?.scale ?? 'fit', this.screen?.design ?? DEFAULT_DESIGN, window.innerWidth, window.innerHeight);
    this.scale = l.scale;
    this.canvas = { width: l.width, height: l.height };
  }

  /** True while a critical alert takes this screen over (a playlist holds its rotation then). */
  get takenOver(): boolean {
    return this.takingOver().length > 0;
  }

  /** Seconds since the least recently confirmed value on screen was confirmed (null before every widget has one). */
  dataAgeS(): number | null {
    if (!this.screen || !this.live) return null;
    let oldest = Infinity;
    for (const w of this.screen.widgets) {
      const s = this.live.get(w.id);
      if (!s || s.seq === 0) return null;
      oldest = Math.min(oldest, s.confirmedAt);
    }
    return Math.max(0, (performance.now() - oldest) / 1000);
  }

  /** `screen-ready` once every widget has its first value (a playlist shows the next screen only then). */
  private tellReady(): void {
    if (this.readyTold || !this.screen || !this.live) return;
    if (!this.screen.widgets.every((w) => (this.live!.get(w.id)?.seq ?? 0) > 0 || this.live!.get(w.id)?.error)) return;
    this.readyTold = true;
    this.dispatchEvent(new Event('screen-ready', { bubbles: true, composed: true }));
  }

  private async load(): Promise<void> {
    this.token ??= takeToken();
    if (!this.token) {
      this.error = t('noToken', this.uiLang);
      return;
    }
    const screen = await this.fetchScreen();
    if (!screen) return;
    this.live = new LiveMetrics(location.origin, this.token);
    // Diagnostics (and the browser tests): what each widget holds, as the runtime got it.
    (window as unknown as { rxpulse: { live: LiveMetrics } }).rxpulse = { live: this.live };
    this.live.addEventListener('change', () => {
      this.requestUpdate();
      this.tellReady();
    });
    // A screen changed through the admin API: take the new layout without a reload.
    this.live.addEventListener('screen-changed', (e) => {
      if ((e as CustomEvent<string>).detail === this.screenId) void this.fetchScreen().then((s) => s && this.apply(s));
    });
    this.apply(screen);
  }

  private async fetchScreen(): Promise<ScreenDef | null> {
    const res = await fetch(`/api/v1/screens/${encodeURIComponent(this.screenId)}`, { headers: { authorization: `Bearer ${this.token}` } }).catch(() => null);
    if (!res?.ok) {
      this.error = `${t('loadFailed', this.uiLang)} (${res?.status ?? 'network'})`;
      return null;
    }
    this.error = null;
    return (await res.json()) as ScreenDef;
  }

  /** Takes a (new) layout: subscriptions follow the widgets; unchanged ones keep their live values. */
  private apply(screen: ScreenDef): void {
    const live = this.live!;
    const before = new Map((this.screen?.widgets ?? []).map((w) => [w.id, w]));
    const after = new Set(screen.widgets.map((w) => w.id));
    for (const [id, w] of before) {
      const next = screen.widgets.find((x) => x.id === id);
      if (!after.has(id) || next?.metric !== w.metric || JSON.stringify(next?.params ?? {}) !== JSON.stringify(w.params ?? {})) live.unwatch(id);
    }
    for (const w of screen.widgets) if (!live.get(w.id)) live.watch(w.id, w.metric, w.params ?? {});
    // A layout changed through the admin API may turn the takeover on or off.
    if (screen.takeover && !live.get(TAKEOVER_ID)) live.watch(TAKEOVER_ID, 'alerts.open');
    else if (!screen.takeover && live.get(TAKEOVER_ID)) live.unwatch(TAKEOVER_ID);
    this.screen = screen;
    document.documentElement.lang = this.uiLang;
    document.title = `${pick(screen.title, this.uiLang)} · RxPulse`;
    this.fit();
  }

  private widget(w: WidgetDef): TemplateResult {
    const s = this.live?.get(w.id);
    const state: Freshness = s?.freshness ?? 'loading';
    const label = pick(w.label, this.uiLang);
    const options = w.options ?? {};
    const style = this.mobile
      ? // A number needs a label and a line or two; a chart gets room by its wall height.
        `height:${w.type === 'rx-kpi' ? 190 : Math.max(240, w.area.rowSpan * 120)}px`
      : `grid-column:${w.area.col} / span ${w.area.colSpan};grid-row:${w.area.row} / span ${w.area.rowSpan}`;
    let body: TemplateResult;
    if (w.type === 'rx-kpi') {
      const v = valueAt(s?.value, options.field as string | undefined);
      const value = typeof v === 'number' ? v : null;
      const delta = typeof options.deltaField === 'string' ? valueAt(s?.value, options.deltaField) : null;
      body = html`<rx-kpi .label=${label} .value=${value} .delta=${typeof delta === 'number' ? delta : null} .format=${(options.format as string) ?? 'count'} .lang=${this.uiLang} .state=${state}></rx-kpi>`;
    } else if (w.type === 'rx-line') {
      const points = valueAt(s?.value, options.items as string | undefined);
      const compare = valueAt(s?.value, options.compare as string | undefined);
      body = html`<rx-line .label=${label} .points=${Array.isArray(points) ? points : []} .compare=${Array.isArray(compare) ? compare : null} .lang=${this.uiLang} .state=${state}></rx-line>`;
    } else {
      // Every other widget takes the metric value as is and maps it with its options (widgets/options.ts).
      const tag = unsafeStatic(w.type);
      body = staticHtml`<${tag} .label=${label} .value=${s?.value} .options=${options} .lang=${this.uiLang} .state=${state} .tz=${this.screen?.tz} .now=${this.tick || this.now()}></${tag}>`;
    }
    return html`<section class="cell" data-widget=${w.id} data-metric=${w.metric} data-state=${state} style=${style}>${body}</section>`;
  }

  private status(): TemplateResult {
    const live = this.live;
    const anyStale = this.screen?.widgets.some((w) => live?.get(w.id)?.freshness === 'stale');
    const kind = !live || live.link === LINK.connecting ? 'connecting' : live.link === LINK.down ? 'down' : anyStale ? 'stale' : 'live';
    return html`<div class="status ${kind}" data-status=${kind}><i></i>${t(kind, this.uiLang)}</div>`;
  }

  /** The open alerts that take this screen over under its policy (`takeover`), newest first. */
  private takingOver(): TakeoverAlert[] {
    return openCriticals(this.live?.get(TAKEOVER_ID)?.value, takeoverPolicy(this.screen?.takeover));
  }

  /** When this wall first showed each alert's banner (performance.now): the strip comes strip_after_s later. */
  private readonly bannerSince = new Map<string, number>();

  /**
   * The takeover while an alert of the screen's policy is open: the full banner over the top of the widgets
   * for `strip_after_s`, then a strip in the header (the screen's hero numbers show again); a newer alert
   * gets its full banner again. Nothing otherwise.
   */
  private takeover(): { view: TemplateResult; strip: boolean } | null {
    const policy = takeoverPolicy(this.screen?.takeover);
    const alerts = this.takingOver();
    for (const id of this.bannerSince.keys()) if (!alerts.some((a) => a.id === id)) this.bannerSince.delete(id);
    if (!policy || alerts.length === 0) return null;
    const top = alerts[0];
    const since = this.bannerSince.get(top.id) ?? performance.now();
    this.bannerSince.set(top.id, since);
    const strip = !this.mobile && performance.now() - since >= policy.stripAfterS * 1000;
    const view = html`<rx-takeover class=${strip ? 'takeover-strip' : 'takeover'} data-takeover=${top.id} data-more=${alerts.length - 1} data-strip=${strip ? '1' : '0'}
      .alerts=${alerts} .now=${this.tick || this.now()} .lang=${this.uiLang} ?compact=${this.mobile} ?strip=${strip}></rx-takeover>`;
    return { view, strip };
  }

  override render() {
    if (this.error) return html`<div class="error">${this.error}</div>`;
    const s = this.screen;
    const clock = s
      ? new Intl.DateTimeFormat(this.uiLang, { timeZone: s.tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(this.tick || this.now())
      : '';
    const stage = this.mobile ? '' : `width:${this.canvas.width}px;height:${this.canvas.height}px;transform: translate(-50%, -50%) scale(${this.scale})`;
    // On a phone: one column in reading order (rows, then columns of the wall layout).
    const widgets = this.mobile && s ? [...s.widgets].sort((a, b) => a.area.row - b.area.row || a.area.col - b.area.col) : s?.widgets;
    const takeover = this.takeover();
    const taken = takeover === null ? '' : takeover.strip ? 'stripped' : 'taken';
    return html`<div class="stage ${this.mobile ? 'mobile' : ''} ${taken}" style=${stage}>
      <header>
        <h1 class=${this.uiLang === 'en' ? 'en' : ''}>${s ? pick(s.title, this.uiLang) : ''}</h1>
        ${takeover?.strip ? takeover.view : nothing}
        <div class="right">${s ? this.status() : nothing}<time class="clock">${clock}</time></div>
      </header>
      ${takeover && !takeover.strip ? takeover.view : nothing}
      <main style=${s && !this.mobile ? `grid-template-columns:repeat(${s.grid.columns},1fr);grid-template-rows:repeat(${s.grid.rows},1fr)` : ''}>
        ${widgets?.map((w) => this.widget(w))}
      </main>
    </div>`;
  }

  static override styles = css`
    :host { display: block; position: fixed; inset: 0; background: radial-gradient(ellipse at 50% 0%, #0c1f45 0%, #050b1a 60%); color: #e2e8f0; overflow: hidden; }
    .stage { position: absolute; left: 50%; top: 50%; display: flex; flex-direction: column; padding: 24px 36px 32px; box-sizing: border-box; }
    :host([mobile]) { overflow-y: auto; }
    .stage.mobile { position: static; padding: 12px 12px 24px; }
    .stage.mobile header { height: auto; flex-wrap: wrap; gap: 8px; padding-bottom: 8px; margin-bottom: 12px; }
    .stage.mobile h1 { font-size: 26px; letter-spacing: 2px; }
    .stage.mobile .clock { font-size: 16px; }
    .stage.mobile .status { font-size: 14px; padding: 2px 10px; }
    .stage.mobile main { display: flex; flex-direction: column; gap: 12px; }
    header { display: flex; align-items: center; justify-content: space-between; height: 88px; border-bottom: 1px solid rgba(34, 211, 238, 0.25); margin-bottom: 24px; }
    h1 { margin: 0; font-size: 44px; font-weight: 700; letter-spacing: 6px; background: linear-gradient(90deg, #e0f2fe, #22d3ee); -webkit-background-clip: text; background-clip: text; color: transparent; }
    h1.en { letter-spacing: 1px; }
    .right { display: flex; align-items: center; gap: 32px; }
    .clock { font-size: 30px; font-variant-numeric: tabular-nums; color: #94a3b8; }
    .status { display: flex; align-items: center; gap: 10px; font-size: 24px; padding: 6px 18px; border-radius: 999px; border: 1px solid currentColor; }
    .status i { width: 12px; height: 12px; border-radius: 50%; background: currentColor; }
    .status.live { color: #34d399; }
    /* A steady dot: an endless pulse would keep the renderer drawing every frame (most of a core without a GPU). */
    .status.stale { color: #fbbf24; }
    .status.down, .status.connecting { color: #f87171; }
    main { flex: 1; display: grid; gap: 24px; min-height: 0; }
    /* Each widget is its own layout and paint island: an update inside one never re-lays the whole wall. */
    .cell { position: relative; min-height: 0; min-width: 0; contain: strict; } /* widgets draw their own card */
    .cell > * { height: 100%; }
    /* The takeover covers the top of the widget area, under the header (title, status and clock stay
       readable), without moving a widget: nothing re-lays out or redraws its chart when it comes and goes.
       The widgets stay live but dimmed (what the banner cuts off reads as background, not as a broken
       card), and a red frame marks the whole wall as taken over. */
    .takeover { position: absolute; z-index: 10; top: 128px; left: 36px; right: 36px; }
    .stage.taken::before { content: ''; position: absolute; z-index: 5; left: 0; right: 0; top: 112px; bottom: 0; background: rgba(2, 6, 23, 0.5); pointer-events: none; }
    .stage.taken::after { content: ''; position: absolute; z-index: 11; inset: 0; border: 6px solid rgba(239, 68, 68, 0.8); pointer-events: none; }
    /* The strip sits between the title and the clock; a thin red frame still marks the wall as taken. */
    .takeover-strip { flex: 1; min-width: 0; margin: 0 32px; }
    .stage.stripped::after { content: ''; position: absolute; z-index: 11; inset: 0; border: 3px solid rgba(239, 68, 68, 0.7); pointer-events: none; }
    .stage.mobile .takeover { position: static; margin-bottom: 12px; }
    .stage.mobile.taken::before, .stage.mobile.taken::after { display: none; }
    .error { position: absolute; inset: 0; display: grid; place-items: center; font-size: 40px; color: #f87171; }
    @media (prefers-reduced-motion: reduce) { .status.live i { animation: none; } }
  `;
}

customElements.define('rx-screen', RxScreen);
