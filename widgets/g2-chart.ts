// The life of a G2 chart inside a Lit element, shared by rx-line, rx-bar and rx-ring: created after the
// first render (and again on reconnection), fed new data with changeData, refitted when its box resizes,
// destroyed on disconnection. Requests within one animation frame fold into one draw, and the charts of a
// page take turns: one draws per turn, so charts fed by the same push never share a frame.
import { Canvas } from '@antv/g';
import { Renderer } from '@antv/g-canvas';
import { Chart, type G2Spec } from '@antv/g2';
import { css, type ReactiveController, type ReactiveControllerHost } from 'lit';

/** What a chart widget tells its G2Chart. */
export interface G2ChartSource {
  /** Tag of the element, for the console message when a render fails. */
  name: string;
  /** The element G2 draws into (`.plot`, inside the absolutely placed `.stage`). */
  plot(): HTMLElement;
  /** Whether there is anything to draw; until there is, a draw waits and keeps what it owes. @default always */
  ready?(): boolean;
  /** Called at the start of every draw (e.g. to measure the box). */
  beforeDraw?(): void;
  /**
   * Everything the full spec depends on besides the data: when it differs from the last draw's, the chart
   * is specified again and rendered; otherwise only the data changes.
   */
  specKey(): string;
  spec(): G2Spec;
  /** The data given to changeData. */
  data(): unknown[];
  /** Called before changeData, to fold spec options into that render (options() merges, it does not render). */
  beforeChangeData?(chart: Chart): void;
  /** A data draw waits this long after the previous one. @default 1_000 */
  minDataIntervalMs?: number;
}

/**
 * G memoizes every path string it ever parses (module-level maps, no bound) and empties those maps only when a
 * G canvas is destroyed (antvis/G#1891). A line of a day of minutes adds ~130 kB a draw, so after every draw a
 * 1×1 canvas is made and destroyed to empty them (1–2 ms; charts draw at most once a second).
 */
function clearRendererCaches(): void {
  new Canvas({ container: document.createElement('div'), width: 1, height: 1, renderer: new Renderer() }).destroy();
}

/**
 * Charts waiting for their turn to draw. Pushes reach every chart of a screen at about the same moment, and
 * each data draw already waits a second after its last one, so without turns every chart of the wall would
 * draw in the same frame, a long task of several G2 passes. One chart draws per turn; a turn is two frames,
 * so G paints one chart's scene in the frame after its G2 pass, before the next chart's pass.
 */
const waiting = new Set<G2Chart>();
let turnFrame = 0;
let skipFrame = false;
function takeTurns(): void {
  turnFrame = 0;
  if (waiting.size === 0) return;
  if (skipFrame) {
    skipFrame = false;
  } else {
    const next = waiting.values().next().value as G2Chart;
    waiting.delete(next);
    next.drawTurn();
    skipFrame = true;
  }
  turnFrame = requestAnimationFrame(takeTurns);
}
function awaitTurn(chart: G2Chart): void {
  waiting.add(chart);
  if (turnFrame === 0) turnFrame = requestAnimationFrame(takeTurns);
}

export class G2Chart implements ReactiveController {
  private chart: Chart | null = null;
  /** The spec key of the last full render; null: the chart has no spec yet. */
  private specKey: string | null = null;
  /** A data draw waits this long after the previous one (source.minDataIntervalMs): a G2 pass costs tens of
   *  ms, and a wall updating several times a second would otherwise spend its frames redrawing. */
  private static readonly MIN_DATA_INTERVAL_MS = 1_000;
  private lastDrawAt = Number.NEGATIVE_INFINITY;
  private wait: ReturnType<typeof setTimeout> | undefined;
  private dataDirty = false;
  private fitDirty = false;
  private resizeObserver: ResizeObserver | null = null;
  /** The first render is done: from then on `.plot` exists. */
  private rendered = false;

  constructor(
    host: ReactiveControllerHost,
    private readonly source: G2ChartSource,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    // Reattached after a disconnect: the shadow DOM is still there, the chart is not.
    if (this.rendered && !this.chart) this.create();
  }

  hostUpdated(): void {
    if (this.rendered) return;
    this.rendered = true;
    this.create();
  }

  hostDisconnected(): void {
    waiting.delete(this);
    clearTimeout(this.wait);
    this.wait = undefined;
    this.resizeObserver?.disconnect();
    this.resizeObserver = null;
    this.chart?.destroy();
    this.chart = null;
  }

  /**
   * New data (or options, or language): drawn at the chart's next turn with whatever else changed. `now`
   * skips the wait after the last data draw (minDataIntervalMs), for changes that must not show late, such
   * as a new scale another chart already shows.
   */
  schedule(what: 'data' | 'fit', now = false): void {
    if (what === 'data') this.dataDirty = true;
    else this.fitDirty = true;
    if (now && this.wait !== undefined) {
      clearTimeout(this.wait);
      this.wait = undefined;
    }
    if (waiting.has(this) || this.wait !== undefined || !this.chart) return;
    const early = what === 'data' && !now && this.specKey !== null ? this.lastDrawAt + (this.source.minDataIntervalMs ?? G2Chart.MIN_DATA_INTERVAL_MS) - performance.now() : 0;
    const queue = () => {
      this.wait = undefined;
      awaitTurn(this);
    };
    if (early > 0) this.wait = setTimeout(queue, early);
    else queue();
  }

  /** Called by the turn-taking loop. */
  drawTurn(): void {
    this.lastDrawAt = performance.now();
    this.draw();
  }

  private create(): void {
    const plot = this.source.plot();
    this.chart = new Chart({ container: plot, autoFit: true, theme: 'classicDark' });
    this.specKey = null;
    // G2's autoFit only listens to window resize; the screen layout can resize the box without one.
    this.resizeObserver = new ResizeObserver(() => this.schedule('fit'));
    this.resizeObserver.observe(plot);
    this.schedule('data');
  }

  private draw(): void {
    const chart = this.chart;
    const source = this.source;
    if (!chart || (source.ready && !source.ready())) return;
    // A mark in Chromium traces (bench/screen-trace.ts names the chart a long task drew); free without DevTools.
    console.timeStamp(`draw ${source.name}`);
    const { dataDirty, fitDirty } = this;
    this.dataDirty = this.fitDirty = false;
    source.beforeDraw?.();
    const key = source.specKey();
    let done: Promise<unknown>;
    if (key !== this.specKey) {
      this.specKey = key;
      chart.options(source.spec());
      done = chart.render();
    } else if (dataDirty) {
      source.beforeChangeData?.(chart);
      // Every G2 render measures the container again, so this also covers a pending resize.
      done = chart.changeData(source.data()) ?? Promise.resolve();
    } else if (fitDirty) {
      done = chart.forceFit(); // no-op when the size did not change
    } else {
      return;
    }
    done.then(clearRendererCaches, (error: unknown) => console.error(`${source.name}: chart render failed`, error));
  }
}

/**
 * The chart's box: the stage is absolutely placed and the plot takes 100% of it, so the canvas G2 adds can
 * never grow the box G2 measures. (G sets position: relative inline on its container, which is why the plot
 * itself cannot be the absolutely placed box.) Hidden, not removed, while there is nothing to draw.
 */
export const chartStageStyles = css`
  .stage { position: absolute; inset: 0; overflow: hidden; transition: opacity 0.4s; }
  .stage.hidden { visibility: hidden; }
  .plot { width: 100%; height: 100%; }
  :host([state='stale']) .stage { opacity: 0.4; filter: grayscale(0.7); }
  @media (prefers-reduced-motion: reduce) {
    .stage { transition: none; }
  }
`;
