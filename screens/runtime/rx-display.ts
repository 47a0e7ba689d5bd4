// <rx-display>: a wall that holds no admin token (CONTRACT "Displays"). Unpaired, it shows a pairing code big
// enough to read across a room and waits on the `/pair` socket; an admin pairs it from the console or the
// API and its display token arrives over that socket: the page keeps it (localStorage, never the URL) and
// shows what the display is set to, through server restarts and page reloads, until it is revoked (its
// token then fails: back to a new code). A playlist rotates its screens, each for its seconds, by the
// schedule in TZ_BUSINESS; the next screen is mounted hidden and shown once its values are in (no blank
// frame); a takeover holds the rotation. Every 30 s the wall reports itself (version, size, uptime, heap,
// frames per second over the last minute, data age, current screen).
import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { io, type Socket } from 'socket.io-client';
import { itemAfter, itemsAt, type Playlist, type PlaylistItem } from '../playlist.ts';
import type { ClientToServerEvents, DisplayReport, ServerToClientEvents } from '../../server/push/protocol.ts';
import type { RxScreen } from './rx-screen.ts';
import './rx-screen.ts';
import { t, type Lang } from './i18n.ts';

/** Where the page keeps its display token (apart from an admin's token of ?token=). */
export const DISPLAY_TOKEN_KEY = 'rxpulse.display';
const REPORT_MS = 30_000;
/** A next screen that is not ready by then is shown anyway (its cards show their loading state). */
const READY_WAIT_MS = 10_000;
/** The next screen is mounted this long before its turn. */
const PRELOAD_MS = 8_000;

declare const __RXPULSE_VERSION__: string;
const VERSION = typeof __RXPULSE_VERSION__ === 'string' ? __RXPULSE_VERSION__ : 'dev';

interface SelfConfig {
  display_id: string;
  name: string;
  screen_id: string | null;
  playlist_id: string | null;
  playlist: Playlist | null;
  tz: string;
}


export class RxDisplay extends LitElement {
  static override properties = { code: { state: true }, expiresAt: { state: true }, config: { state: true }, shown: { state: true }, next: { state: true } };
  declare code: string | null;
  declare expiresAt: string | null;
  declare config: SelfConfig | null;
  /** The screen on the wall, and the one being prepared (mounted hidden). */
  declare shown: string | null;
  declare next: string | null;
  private token: string | null = null;
  private pairSocket: Socket | null = null;
  private control: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  private timers: number[] = [];
  private rotation: { items: PlaylistItem[]; startedAt: number; key: string } | null = null;
  private readonly frames: number[] = [];
  private frameCount = 0;
  private frameSecond = Math.floor(performance.now() / 1000);
  private rafId = 0;
  private readonly uiLang: Lang = new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'zh-CN';

  constructor() {
    super();
    this.code = null;
    this.expiresAt = null;
    this.config = null;
    this.shown = null;
    this.next = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.documentElement.lang = this.uiLang;
    this.countFrames();
    this.token = localStorage.getItem(DISPLAY_TOKEN_KEY);
    if (this.token) this.start(this.token);
    else this.pair();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopAll();
    cancelAnimationFrame(this.rafId);
  }

  private stopAll(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.pairSocket?.close();
    this.pairSocket = null;
    this.control?.close();
    this.control = null;
  }

  // --- pairing -------------------------------------------------------------------------------------------

  private pair(): void {
    this.stopAll();
    this.config = null;
    this.shown = this.next = null;
    this.rotation = null;
    document.title = 'RxPulse · 配对 Pairing';
    const socket = io(`${location.origin}/pair`, { transports: ['websocket', 'polling'], reconnectionDelayMax: 5_000 });
    this.pairSocket = socket;
    socket.on('pair:code', (m: { code: string; expires_at: string }) => {
      this.code = m.code;
      this.expiresAt = m.expires_at;
    });
    // The server restarted or the network dropped: the old code is gone; a new one comes on reconnect.
    socket.on('disconnect', () => (this.code = null));
    socket.on('pair:token', (m: { token: string; display_id: string }) => {
      localStorage.setItem(DISPLAY_TOKEN_KEY, m.token);
      this.code = null;
      this.start(m.token);
    });
  }

  private revoked(): void {
    localStorage.removeItem(DISPLAY_TOKEN_KEY);
    this.token = null;
    this.pair();
  }

  // --- a paired wall -------------------------------------------------------------------------------------

  private start(token: string): void {
    this.stopAll();
    this.token = token;
    const control: Socket<ServerToClientEvents, ClientToServerEvents> = io(location.origin, { auth: { token }, transports: ['websocket', 'polling'], reconnectionDelayMax: 5_000 });
    this.control = control;
    control.on('connect_error', (err) => {
      if (err.message === 'RXP_ERR_AUTH_MISSING') this.revoked();
    });
    control.on('disconnect', (reason) => {
      // Closed by the server: a stop (it comes back) or a revoke (its token now fails). socket.io does not
      // reconnect by itself after a server-side disconnect.
      if (reason === 'io server disconnect') window.setTimeout(() => void this.checkToken(), 500 + Math.random() * 1_500);
    });
    control.on('display:changed', () => void this.loadSelf());
    control.on('display:reload', () => location.reload());
    this.timers.push(window.setInterval(() => this.report(), REPORT_MS));
    this.timers.push(window.setInterval(() => this.rotate(), 1_000));
    window.setTimeout(() => this.report(), 3_000);
    void this.loadSelf();
  }

  /** After the server closed the control socket: back to pairing if the token is refused, else reconnect. */
  private async checkToken(): Promise<void> {
    if (!this.token || !this.control) return;
    const res = await fetch('/api/v1/displays/self', { headers: { authorization: `Bearer ${this.token}` } }).catch(() => null);
    if (res?.status === 401) return this.revoked();
    this.control.connect();
  }

  private async loadSelf(): Promise<void> {
    if (!this.token) return;
    const res = await fetch('/api/v1/displays/self', { headers: { authorization: `Bearer ${this.token}` } }).catch(() => null);
    if (res?.status === 401) return this.revoked();
    if (!res?.ok) {
      window.setTimeout(() => void this.loadSelf(), 3_000);
      return;
    }
    this.config = (await res.json()) as SelfConfig;
    this.rotation = null;
    this.rotate();
  }

  /** What to show now: the display's screen, or the playlist's item at this moment. */
  private rotate(): void {
    const c = this.config;
    if (!c) return;
    let want: string | null = c.screen_id;
    let upcoming: string | null = null;
    if (c.playlist) {
      const items = itemsAt(c.playlist, Date.now(), c.tz);
      const key = JSON.stringify(items);
      if (!this.rotation || this.rotation.key !== key) this.rotation = { items, startedAt: Date.now(), key };
      // A takeover holds the rotation where it is: the clock of the rotation stops meanwhile.
      if (this.current()?.takenOver) {
        this.rotation.startedAt += 1_000;
        return;
      }
      const { index, remainingMs } = itemAfter(items, Date.now() - this.rotation.startedAt);
      want = items[index].screen_id;
      const following = items[(index + 1) % items.length].screen_id;
      if (remainingMs <= PRELOAD_MS && following !== want) upcoming = following;
    }
    if (want === this.shown) {
      if (upcoming !== this.next) this.next = upcoming;
      return;
    }
    if (this.shown === null) {
      this.shown = want;
      return;
    }
    // Switch once the prepared screen has its values (or after READY_WAIT_MS): never a blank frame.
    if (this.next !== want) {
      this.next = want;
      this.readySince = null;
    }
    const prepared = this.prepared();
    if (prepared?.getAttribute('data-ready') === '1' || (this.readySince ??= Date.now()) < Date.now() - READY_WAIT_MS) {
      this.shown = want;
      this.next = null;
      this.readySince = null;
    }
  }
  private readySince: number | null = null;

  private current(): RxScreen | null {
    return this.renderRoot.querySelector<RxScreen>('rx-screen.shown');
  }

  private prepared(): RxScreen | null {
    return this.renderRoot.querySelector<RxScreen>('rx-screen.next');
  }

  private countFrames(): void {
    const step = () => {
      const sec = Math.floor(performance.now() / 1000);
      if (sec !== this.frameSecond) {
        this.frames.push(this.frameCount);
        if (this.frames.length > 60) this.frames.shift();
        this.frameCount = 0;
        this.frameSecond = sec;
      }
      this.frameCount++;
      this.rafId = requestAnimationFrame(step);
    };
    this.rafId = requestAnimationFrame(step);
  }

  private report(): void {
    if (!this.control?.connected) return;
    const dpr = window.devicePixelRatio || 1;
    const heap = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null;
    const report: DisplayReport = {
      version: VERSION.slice(0, 64),
      screen_size: { width: Math.round(window.innerWidth * dpr), height: Math.round(window.innerHeight * dpr) },
      uptime_s: Math.round(performance.now() / 1000),
      heap_bytes: heap,
      fps: this.frames.length ? Math.round((this.frames.reduce((a, b) => a + b, 0) / this.frames.length) * 10) / 10 : null,
      data_age_s: this.current()?.dataAgeS() ?? null,
      screen_id: this.shown,
    };
    this.control.emit('display:report', report);
  }

  // --- view ----------------------------------------------------------------------------------------------

  private screenEl(id: string, cls: 'shown' | 'next'): TemplateResult {
    return html`<rx-screen class=${cls} data-screen=${id} .token=${this.token} .screenId=${id}
      @screen-ready=${(e: Event) => (e.currentTarget as HTMLElement).setAttribute('data-ready', '1')}></rx-screen>`;
  }

  override render() {
    if (!this.token || !this.config) return this.pairing();
    if (!this.shown) return html`<div class="empty">${t('noScreen', this.uiLang)}</div>`;
    // Keyed by screen id: the prepared screen becomes the shown one without being mounted again.
    const ids = [this.shown, ...(this.next && this.next !== this.shown ? [this.next] : [])];
    return html`${repeat(ids, (id) => id, (id) => this.screenEl(id, id === this.shown ? 'shown' : 'next'))}`;
  }

  private pairing(): TemplateResult {
    if (this.token) return html`<div class="pairing"><p class="how">${t('pairWaiting', this.uiLang)}</p></div>`;
    const until = this.expiresAt ? new Intl.DateTimeFormat(this.uiLang, { hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(this.expiresAt)) : '';
    return html`<div class="pairing" data-pairing>
      <h1>${t('pair', this.uiLang)}</h1>
      ${this.code
        ? html`<p class="code" data-code=${this.code} aria-label=${this.code.split('').join(' ')}>${this.code.split('').map((c) => html`<span>${c}</span>`)}</p>`
        : html`<p class="how">${t('pairWaiting', this.uiLang)}</p>`}
      <p class="how">${t('pairHow', this.uiLang)}</p>
      ${this.code ? html`<p class="until">${t('pairUntil', this.uiLang)} ${until} · ${location.host}</p>` : nothing}
    </div>`;
  }

  static override styles = css`
    :host { display: block; position: fixed; inset: 0; background: radial-gradient(ellipse at 50% 0%, #0c1f45 0%, #050b1a 60%); color: #e2e8f0; overflow: hidden; }
    rx-screen.next { visibility: hidden; }
    .pairing { position: absolute; inset: 0; display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 4vh; text-align: center; padding: 4vh 6vw; box-sizing: border-box; }
    h1 { margin: 0; font-size: max(28px, 5vh); font-weight: 600; letter-spacing: 0.4em; color: #94a3b8; }
    .code { margin: 0; display: flex; gap: 2vw; font-family: "Noto Sans Mono CJK SC", "DejaVu Sans Mono", monospace; font-weight: 700; font-size: min(15vw, 28vh); line-height: 1.25; color: #22d3ee; }
    .code span { display: inline-block; min-width: 1ch; padding: 0.08em 0.12em; border-radius: 0.08em; background: rgba(34, 211, 238, 0.08); border: 2px solid rgba(34, 211, 238, 0.4); }
    .how { margin: 0; font-size: max(18px, 3vh); color: #cbd5e1; max-width: 80vw; }
    .until { margin: 0; font-size: max(16px, 2.4vh); color: #64748b; }
    .empty { position: absolute; inset: 0; display: grid; place-items: center; font-size: 5vh; color: #fbbf24; }
  `;
}

customElements.define('rx-display', RxDisplay);
