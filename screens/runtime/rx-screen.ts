// <rx-screen>: loads the screen definition named by the URL (/screens/{id}), lays its widgets out on a
// 1920×1080 design canvas scaled to fit the display (letterboxed), binds each widget to its live metric,
// and shows the clock in the business time zone and the freshness of the data.
import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import { LINK, LiveMetrics, type Freshness } from './live-metrics.ts';
import { pick, t, type Lang } from './i18n.ts';
import { takeToken } from './token.ts';
import type { Screen, ScreenWidget } from '../../server/screens.ts';

type WidgetDef = ScreenWidget;
type ScreenDef = Screen & { tz: string };

const DESIGN = { width: 1920, height: 1080 };

export class RxScreen extends LitElement {
  static override properties = { screen: { state: true }, error: { state: true }, scale: { state: true }, tick: { state: true } };
  declare screen: ScreenDef | null;
  declare error: string | null;
  declare scale: number;
  declare tick: number;
  private live: LiveMetrics | null = null;
  private clockTimer: number | undefined;
  private readonly uiLang: Lang = new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'zh-CN';
  private readonly onResize = () => this.fit();

  constructor() {
    super();
    this.screen = null;
    this.error = null;
    this.scale = 1;
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
    this.scale = Math.min(window.innerWidth / DESIGN.width, window.innerHeight / DESIGN.height);
  }

  private async load(): Promise<void> {
    const token = takeToken();
    if (!token) {
      this.error = t('noToken', this.uiLang);
      return;
    }
    const id = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() ?? '');
    const res = await fetch(`/api/v1/screens/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${token}` } }).catch(() => null);
    if (!res?.ok) {
      this.error = `${t('loadFailed', this.uiLang)} (${res?.status ?? 'network'})`;
      return;
    }
    const screen = (await res.json()) as ScreenDef;
    document.title = `${pick(screen.title, this.uiLang)} · RxPulse`;
    this.live = new LiveMetrics(location.origin, token);
    for (const w of screen.widgets) this.live.watch(w.id, w.metric, w.params ?? {});
    this.live.addEventListener('change', () => this.requestUpdate());
    this.screen = screen;
  }

  private widget(w: WidgetDef): TemplateResult {
    const s = this.live?.get(w.id);
    const state: Freshness = s?.freshness ?? 'loading';
    const label = pick(w.label, this.uiLang);
    const style = `grid-column:${w.area.col} / span ${w.area.colSpan};grid-row:${w.area.row} / span ${w.area.rowSpan}`;
    let body: TemplateResult;
    if (w.type === 'rx-kpi') {
      const value = typeof s?.value === 'number' ? s.value : null;
      body = html`<rx-kpi .label=${label} .value=${value} .format=${(w.options.format as string) ?? 'count'} .lang=${this.uiLang} .state=${state}></rx-kpi>`;
    } else if (w.type === 'rx-line') {
      const points = Array.isArray(s?.value) ? s.value : [];
      body = html`<rx-line .label=${label} .points=${points} .lang=${this.uiLang} .state=${state}></rx-line>`;
    } else {
      body = html`<div class="unknown">${w.type}</div>`;
    }
    return html`<section class="cell" data-widget=${w.id} data-metric=${w.metric} data-state=${state} style=${style}>${body}</section>`;
  }

  private status(): TemplateResult {
    const live = this.live;
    const anyStale = this.screen?.widgets.some((w) => live?.get(w.id)?.freshness === 'stale');
    const kind = !live || live.link === LINK.connecting ? 'connecting' : live.link === LINK.down ? 'down' : anyStale ? 'stale' : 'live';
    return html`<div class="status ${kind}" data-status=${kind}><i></i>${t(kind, this.uiLang)}</div>`;
  }

  override render() {
    if (this.error) return html`<div class="error">${this.error}</div>`;
    const s = this.screen;
    const clock = s
      ? new Intl.DateTimeFormat(this.uiLang, { timeZone: s.tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(this.tick || this.now())
      : '';
    return html`<div class="stage" style="transform: translate(-50%, -50%) scale(${this.scale})">
      <header>
        <h1 class=${this.uiLang === 'en' ? 'en' : ''}>${s ? pick(s.title, this.uiLang) : ''}</h1>
        <div class="right">${s ? this.status() : nothing}<time class="clock">${clock}</time></div>
      </header>
      <main style=${s ? `grid-template-columns:repeat(${s.grid.columns},1fr);grid-template-rows:repeat(${s.grid.rows},1fr)` : ''}>
        ${s?.widgets.map((w) => this.widget(w))}
      </main>
    </div>`;
  }

  static override styles = css`
    :host { display: block; position: fixed; inset: 0; background: radial-gradient(ellipse at 50% 0%, #0c1f45 0%, #050b1a 60%); color: #e2e8f0; overflow: hidden; }
    .stage { position: absolute; left: 50%; top: 50%; width: 1920px; height: 1080px; display: flex; flex-direction: column; padding: 24px 36px 32px; box-sizing: border-box; }
    header { display: flex; align-items: center; justify-content: space-between; height: 88px; border-bottom: 1px solid rgba(34, 211, 238, 0.25); margin-bottom: 24px; }
    h1 { margin: 0; font-size: 44px; font-weight: 700; letter-spacing: 6px; background: linear-gradient(90deg, #e0f2fe, #22d3ee); -webkit-background-clip: text; background-clip: text; color: transparent; }
    h1.en { letter-spacing: 1px; }
    .right { display: flex; align-items: center; gap: 32px; }
    .clock { font-size: 30px; font-variant-numeric: tabular-nums; color: #94a3b8; }
    .status { display: flex; align-items: center; gap: 10px; font-size: 24px; padding: 6px 18px; border-radius: 999px; border: 1px solid currentColor; }
    .status i { width: 12px; height: 12px; border-radius: 50%; background: currentColor; }
    .status.live { color: #34d399; }
    .status.live i { animation: pulse 2s infinite; }
    .status.stale { color: #fbbf24; }
    .status.down, .status.connecting { color: #f87171; }
    main { flex: 1; display: grid; gap: 24px; min-height: 0; }
    .cell { position: relative; min-height: 0; min-width: 0; } /* widgets draw their own card */
    .cell > * { height: 100%; }
    .error { position: absolute; inset: 0; display: grid; place-items: center; font-size: 40px; color: #f87171; }
    @keyframes pulse { 50% { opacity: 0.3; } }
    @media (prefers-reduced-motion: reduce) { .status.live i { animation: none; } }
  `;
}

customElements.define('rx-screen', RxScreen);
