import { geoArea, geoMercator, geoPath, type GeoProjection } from 'd3-geo';
import type { Feature, FeatureCollection, Geometry, MultiPoint, Position } from 'geojson';
import { css, html, nothing, svg, unsafeCSS, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { CardElement, ResizeWatch, cardEmpty, cardFrame, cardStyles, clippedHost } from './card.js';
import { normalizeLang, type Lang } from './format.js';
import { formatValue, numberOr, readOptions, rowsAt, type ValueFormat } from './format-extra.js';
import { RxMapOptions } from './options.js';

export { RxMapOptions };

const FONT = '"Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei",sans-serif';

/** English names of the 34 provincial divisions, keyed by the short Chinese name the metrics use. */
const PROVINCE_EN: Readonly<Record<string, string>> = {
  北京: 'Beijing', 天津: 'Tianjin', 河北: 'Hebei', 山西: 'Shanxi', 内蒙古: 'Inner Mongolia', 辽宁: 'Liaoning',
  吉林: 'Jilin', 黑龙江: 'Heilongjiang', 上海: 'Shanghai', 江苏: 'Jiangsu', 浙江: 'Zhejiang', 安徽: 'Anhui',
  福建: 'Fujian', 江西: 'Jiangxi', 山东: 'Shandong', 河南: 'Henan', 湖北: 'Hubei', 湖南: 'Hunan', 广东: 'Guangdong',
  广西: 'Guangxi', 海南: 'Hainan', 重庆: 'Chongqing', 四川: 'Sichuan', 贵州: 'Guizhou', 云南: 'Yunnan', 西藏: 'Xizang',
  陕西: 'Shaanxi', 甘肃: 'Gansu', 青海: 'Qinghai', 宁夏: 'Ningxia', 新疆: 'Xinjiang', 台湾: 'Taiwan',
  香港: 'Hong Kong', 澳门: 'Macao',
};

/** '内蒙古自治区' → '内蒙古', '广东省' → '广东', '北京市' → '北京', '香港特别行政区' → '香港'. */
export function provinceShortName(full: string): string {
  return full.replace(/(壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市)$/, '');
}

interface Region {
  /** Short name ('广东'); '' for the South China Sea boundary line, which is drawn in the inset only. */
  name: string;
  feature: Feature<Geometry>;
  /** Where the label points, lon/lat (the data's centroid, else its capital). */
  anchor: [number, number] | null;
}

/**
 * Province boundaries, loaded on first use and shared by every map of the page.
 *
 * Source: npm `@esmjs/geo` 1.0.0 (MIT, https://github.com/esmjs/geo), export `china`: 34 provincial
 * divisions plus the South China Sea boundary line, ~580 KB of GeoJSON, derived from Aliyun DataV.GeoAtlas.
 * Bundled by vite into its own chunk (dynamic import): no network beyond the screen's own server, and only
 * screens with a map load it.
 */
/**
 * d3-geo is spherical: a ring's winding says which side is inside, and this data winds the other way
 * (RFC 7946, counter-clockwise), so d3 would fill the whole globe but the province. A polygon that covers
 * more than a hemisphere is rewound (a copy: the package's object is shared).
 */
function rewound(geometry: Geometry): Geometry {
  const fix = (rings: Position[][]): Position[][] =>
    geoArea({ type: 'Polygon', coordinates: rings }) > 2 * Math.PI ? rings.map((r) => r.slice().reverse()) : rings;
  if (geometry.type === 'Polygon') return { type: 'Polygon', coordinates: fix(geometry.coordinates) };
  if (geometry.type === 'MultiPolygon') return { type: 'MultiPolygon', coordinates: geometry.coordinates.map(fix) };
  return geometry;
}

let regionsPromise: Promise<Region[]> | null = null;
function loadRegions(): Promise<Region[]> {
  regionsPromise ??= import('@esmjs/geo').then(({ china }) =>
    (china as unknown as FeatureCollection<Geometry, Record<string, unknown>>).features.map((feature) => {
      const p = feature.properties ?? {};
      const at = (Array.isArray(p.centroid) ? p.centroid : Array.isArray(p.center) ? p.center : null) as [number, number] | null;
      const name = provinceShortName(typeof p.name === 'string' ? p.name : '');
      return { name, feature: { ...feature, geometry: rewound(feature.geometry) }, anchor: at };
    }),
  );
  return regionsPromise;
}

/**
 * The mainland frame the main map is fitted to (lon/lat corners). Everything south of its bottom edge, the
 * South China Sea islands, is drawn in the inset instead, as Chinese maps customarily do.
 */
const MAIN_FRAME: MultiPoint = { type: 'MultiPoint', coordinates: [[73.5, 53.6], [135.1, 53.6], [73.5, 17.6], [135.1, 17.6]] };
const INSET_FRAME: MultiPoint = { type: 'MultiPoint', coordinates: [[106.5, 24.5], [123.5, 24.5], [106.5, 3.2], [123.5, 3.2]] };

// Sequential colours for a dark wall: deep teal for the smallest sales, bright cyan for the largest.
const RAMP: ReadonlyArray<[number, number, number]> = [
  [12, 74, 110], // #0c4a6e
  [8, 145, 178], // #0891b2
  [103, 232, 249], // #67e8f9
];
const NO_SALES = '#1e293b';

/** Colour of a share t in [0, 1] along RAMP. */
function rampColor(t: number): string {
  const x = Math.min(Math.max(t, 0), 1) * (RAMP.length - 1);
  const i = Math.min(Math.floor(x), RAMP.length - 2);
  const f = x - i;
  const [a, b] = [RAMP[i], RAMP[i + 1]];
  return `rgb(${a.map((c, k) => Math.round(c + (b[k] - c) * f)).join(',')})`;
}

/**
 * Square-root scale: one province often sells ten times the median, and a linear scale would paint all
 * the others the same dark shade.
 */
function shareOf(value: number, max: number): number {
  return max > 0 ? Math.sqrt(Math.max(value, 0) / max) : 0;
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}
const overlaps = (a: Box, b: Box): boolean => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

interface PlacedLabel {
  name: string;
  text: string;
  value: string;
  anchor: [number, number];
  box: Box;
}

/**
 * Places each label (largest first) at the first candidate spot around its anchor that overlaps no label,
 * no anchor dot and no reserved box (legend, inset), inside the plot; far spots get a leader line. A label
 * with no free spot is left out rather than drawn over another.
 */
export function placeLabels(
  items: ReadonlyArray<{ name: string; text: string; value: string; anchor: [number, number]; w: number; h: number; east?: boolean }>,
  bounds: Box,
  reserved: readonly Box[],
): PlacedLabel[] {
  const placed: PlacedLabel[] = [];
  const dots: Box[] = items.map(({ anchor: [x, y] }) => ({ x: x - 6, y: y - 6, w: 12, h: 12 }));
  for (const it of items) {
    const [ax, ay] = it.anchor;
    const { w, h } = it;
    const candidates: Array<[number, number]> = [];
    // Coastal provinces: out to sea first, so the label covers no province (its own included).
    if (it.east) {
      for (const r of [24, 70, 120, 170]) candidates.push([ax + r, ay - h / 2], [ax + r, ay - h * 1.5 - 6], [ax + r, ay + h / 2 + 6]);
    }
    for (const r of [10, 40, 80, 120]) {
      candidates.push(
        [ax + r, ay - h / 2], // right
        [ax - r - w, ay - h / 2], // left
        [ax - w / 2, ay - r - h], // above
        [ax - w / 2, ay + r], // below
        [ax + r * 0.7, ay - r * 0.7 - h], // upper right
        [ax + r * 0.7, ay + r * 0.7], // lower right
        [ax - r * 0.7 - w, ay - r * 0.7 - h], // upper left
        [ax - r * 0.7 - w, ay + r * 0.7], // lower left
      );
    }
    for (const [x, y] of candidates) {
      const box = { x, y, w, h };
      const inside = x >= bounds.x && y >= bounds.y && x + w <= bounds.x + bounds.w && y + h <= bounds.y + bounds.h;
      if (!inside) continue;
      if (placed.some((p) => overlaps(p.box, box)) || reserved.some((r) => overlaps(r, box)) || dots.some((d) => overlaps(d, box))) continue;
      placed.push({ name: it.name, text: it.text, value: it.value, anchor: it.anchor, box });
      break;
    }
  }
  return placed;
}

let measureCtx: CanvasRenderingContext2D | null = null;
function textWidth(text: string, font: string): number {
  measureCtx ??= document.createElement('canvas').getContext('2d');
  if (!measureCtx) return text.length * 20;
  measureCtx.font = font;
  return measureCtx.measureText(text).width;
}

/** Geometry that depends only on the boundaries and the box size, recomputed on resize only. */
interface Drawing {
  width: number;
  height: number;
  main: Array<{ name: string; d: string }>;
  mainClipY: number;
  inset: Box;
  insetPaths: Array<{ name: string; d: string }>;
  project: GeoProjection;
}

/**
 * China by province, filled by a value (`sales.gmv_by_province`): sequential colour on a square-root scale,
 * provinces without sales in a neutral dark fill, the largest `top` labelled with their value, a legend of
 * the scale, and the South China Sea islands in an inset. Drawn as SVG paths with a d3-geo Mercator
 * projection; paths are computed once per size, a new value only changes fills and labels.
 * `data-shown` lists `[province, value]` of every province drawn with a value, largest first.
 */
@customElement('rx-map')
export class RxMap extends CardElement<RxMapOptions> {
  @state() private regions: Region[] | null = null;
  @state() private size: { width: number; height: number } = { width: 0, height: 0 };

  // One callback per frame at most (ResizeObserver's own rhythm); Lit folds the update.
  private readonly bodySize = new ResizeWatch(this, ({ width, height }) => {
    if (Math.round(width) !== this.size.width || Math.round(height) !== this.size.height) {
      this.size = { width: Math.round(width), height: Math.round(height) };
    }
  });
  private drawing: Drawing | null = null;
  /** Province → value, for those in the data that the map has. */
  private values = new Map<string, number>();
  private ranked: Array<[string, number]> = [];
  private max = 0;
  private format: ValueFormat = 'yuan';
  private top = 5;

  override connectedCallback(): void {
    super.connectedCallback();
    loadRegions().then(
      (regions) => {
        this.regions = regions;
      },
      (error: unknown) => console.error('rx-map: boundaries failed to load', error),
    );
  }

  // Untyped: `regions` and `size` are private states, which PropertyValues<this> does not list.
  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('value') || changed.has('options') || changed.has('regions')) {
      const o = readOptions(RxMapOptions, this.options);
      this.format = o.format ?? 'yuan';
      this.top = o.top ?? 5;
      const known = this.regions ? new Set(this.regions.map((r) => r.name)) : null;
      this.values = new Map();
      for (const row of rowsAt(this.value, o.items ?? '')) {
        const name = row[o.name ?? 'province'];
        const v = numberOr(row[o.value ?? 'gmv_fen']);
        if (typeof name !== 'string' || v === null) continue;
        if (known && !known.has(name)) continue; // not on this map (a typo, an unknown code): not shown
        this.values.set(name, (this.values.get(name) ?? 0) + v);
      }
      this.ranked = [...this.values].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      this.max = this.ranked.length > 0 ? Math.max(this.ranked[0][1], 0) : 0;
      // Until the boundaries are there nothing is drawn, so nothing is "shown".
      this.setAttribute('data-shown', JSON.stringify(this.regions ? this.ranked : []));
    }
    if ((changed.has('regions') || changed.has('size')) && this.regions && this.size.width > 0 && this.size.height > 0) {
      this.drawing = this.layout(this.regions, this.size.width, this.size.height);
    }
  }

  private layout(regions: Region[], width: number, height: number): Drawing {
    const pad = 12;
    const project = geoMercator().fitExtent([[pad, pad], [width - pad, height - pad]], MAIN_FRAME);
    const path = geoPath(project);
    const main = regions.filter((r) => r.name !== '').map((r) => ({ name: r.name, d: path(r.feature) ?? '' }));
    const mainClipY = project([110, 17.6])?.[1] ?? height;
    // The inset sits in the sea east of Guangdong and south of Taiwan, at the frame's bottom right.
    const iw = Math.round(Math.min(Math.max(width * 0.15, 110), 220));
    const ih = Math.round(iw * 1.35);
    const inset = { x: width - iw - pad, y: height - ih - pad - 26, w: iw, h: ih };
    const insetProject = geoMercator().fitExtent([[inset.x + 4, inset.y + 4], [inset.x + iw - 4, inset.y + ih - 4]], INSET_FRAME);
    const insetPath = geoPath(insetProject);
    const insetPaths = regions.map((r) => ({ name: r.name, d: insetPath(r.feature) ?? '' }));
    return { width, height, main, mainClipY, inset, insetPaths, project };
  }

  protected override render(): TemplateResult {
    const lang = normalizeLang(this.lang);
    const loading = this.state === 'loading';
    const empty = !loading && this.ranked.length === 0;
    return cardFrame(
      this,
      lang,
      html`${loading || !this.regions ? html`<div class="skeleton"></div>` : this.renderMap(lang)}${empty && this.regions ? cardEmpty(lang) : nothing}`,
    );
  }

  private fill(name: string): string {
    const v = this.values.get(name);
    return v === undefined || v <= 0 ? NO_SALES : rampColor(shareOf(v, this.max));
  }

  private renderMap(lang: Lang): TemplateResult | typeof nothing {
    const dr = this.drawing;
    if (!dr) return nothing;
    const en = lang === 'en';
    const legend: Box = { x: 12, y: dr.height - 96, w: 300, h: 96 };
    const caption = en ? 'South China Sea Islands' : '南海诸岛';
    const captionBox: Box = { x: dr.inset.x + dr.inset.w - textWidth(caption, `18px ${FONT}`) - 4, y: dr.inset.y + dr.inset.h + 2, w: textWidth(caption, `18px ${FONT}`) + 4, h: 24 };
    const labels = this.labels(dr, lang, [legend, { ...dr.inset, x: dr.inset.x - 8, w: dr.inset.w + 8 }, captionBox]);
    const labelled = new Set(labels.map((l) => l.name));
    return html`
      <svg class="map" part="map" width=${dr.width} height=${dr.height} viewBox="0 0 ${dr.width} ${dr.height}" role="img" aria-label=${this.label}>
        <defs>
          <clipPath id="main-clip"><rect x="0" y="0" width=${dr.width} height=${dr.mainClipY}></rect></clipPath>
          <clipPath id="inset-clip"><rect x=${dr.inset.x} y=${dr.inset.y} width=${dr.inset.w} height=${dr.inset.h}></rect></clipPath>
        </defs>
        <g clip-path="url(#main-clip)">
          ${dr.main.map(
            (p) => svg`<path class="province ${labelled.has(p.name) ? 'top' : ''}" data-province=${p.name} d=${p.d} fill=${this.fill(p.name)}></path>`,
          )}
        </g>
        <rect class="inset-frame" x=${dr.inset.x} y=${dr.inset.y} width=${dr.inset.w} height=${dr.inset.h}></rect>
        <g clip-path="url(#inset-clip)">
          ${dr.insetPaths.map((p) =>
            p.name === ''
              ? svg`<path class="boundary" d=${p.d}></path>`
              : svg`<path class="province inset" d=${p.d} fill=${this.fill(p.name)}></path>`,
          )}
        </g>
        <text class="caption" x=${dr.inset.x + dr.inset.w} y=${dr.inset.y + dr.inset.h + 20} text-anchor="end">${caption}</text>
        ${labels.map((l) => this.renderLabel(l))}
      </svg>
      ${this.max > 0 ? this.renderLegend(lang) : nothing}
    `;
  }

  private labels(dr: Drawing, lang: Lang, reserved: Box[]): PlacedLabel[] {
    const byName = new Map((this.regions ?? []).map((r) => [r.name, r]));
    const items = [];
    for (const [name, v] of this.ranked.slice(0, this.top)) {
      if (v <= 0) break;
      const at = byName.get(name)?.anchor;
      const xy = at ? dr.project(at) : null;
      if (!xy) continue;
      const text = lang === 'en' ? (PROVINCE_EN[name] ?? name) : name;
      const value = formatValue(v, this.format, lang);
      const w = Math.ceil(Math.max(textWidth(text, `18px ${FONT}`), textWidth(value, `bold 20px ${FONT}`))) + 16;
      // East of 112°E the sea is to the right of every province but Beijing's neighbours, which it barely hurts.
      items.push({ name, text, value, anchor: xy as [number, number], w, h: 54, east: (at?.[0] ?? 0) > 112 });
    }
    return placeLabels(items, { x: 4, y: 4, w: dr.width - 8, h: dr.height - 8 }, reserved);
  }

  private renderLabel(l: PlacedLabel): TemplateResult {
    const { box } = l;
    const [ax, ay] = l.anchor;
    // Leader from the anchor to the nearest point of the label box.
    const lx = Math.min(Math.max(ax, box.x), box.x + box.w);
    const ly = Math.min(Math.max(ay, box.y), box.y + box.h);
    return svg`
      <g class="label" part="label" data-province=${l.name}>
        <line class="leader" x1=${ax} y1=${ay} x2=${lx} y2=${ly}></line>
        <circle class="dot" cx=${ax} cy=${ay} r="4"></circle>
        <rect class="tag" x=${box.x} y=${box.y} width=${box.w} height=${box.h} rx="3"></rect>
        <text class="name" x=${box.x + 8} y=${box.y + 22}>${l.text}</text>
        <text class="value ${this.format}" x=${box.x + 8} y=${box.y + 46}>${l.value}</text>
      </g>
    `;
  }

  private renderLegend(lang: Lang): TemplateResult {
    const en = lang === 'en';
    // The ends only: a middle tick (a quarter of the maximum on this square-root ramp) collides with them.
    const ticks = [0, 1].map((t) => ({ t, text: formatValue(Math.round(this.max * t * t), this.format, lang) }));
    const stops = RAMP.map((_, i) => `${rampColor(i / (RAMP.length - 1))} ${(i / (RAMP.length - 1)) * 100}%`).join(', ');
    return html`
      <div class="legend" part="legend">
        <div class="ramp" style="background: linear-gradient(90deg, ${stops})"></div>
        <div class="ticks">${ticks.map((k) => html`<span style="left:${k.t * 100}%">${k.text}</span>`)}</div>
        <div class="none"><i></i>${en ? 'No sales' : '无销售'}</div>
      </div>
    `;
  }

  static override styles = [
    cardStyles,
    clippedHost,
    css`
      :host { min-height: 320px; }
      .body { overflow: hidden; }
      .map { position: absolute; inset: 0; display: block; transition: opacity 0.4s; }
      :host([state='stale']) .map, :host([state='stale']) .legend { opacity: 0.4; filter: grayscale(0.7); }
      .province { stroke: rgba(148, 163, 184, 0.45); stroke-width: 0.8; stroke-linejoin: round; }
      .province.top { stroke: #a5f3fc; stroke-width: 1.4; }
      .province.inset { stroke-width: 0.5; }
      .boundary { fill: #94a3b8; stroke: #94a3b8; stroke-width: 0.6; }
      .inset-frame { fill: rgba(5, 14, 34, 0.6); stroke: rgba(34, 211, 238, 0.4); stroke-width: 1; }
      .caption { font-size: 18px; fill: #94a3b8; }
      .leader { stroke: #fbbf24; stroke-width: 1.2; stroke-opacity: 0.8; }
      .dot { fill: #fbbf24; stroke: #fef3c7; stroke-width: 1.5; }
      .tag { fill: rgba(5, 14, 34, 0.82); stroke: rgba(251, 191, 36, 0.55); stroke-width: 1; }
      .label .name { font-size: 18px; fill: #e2e8f0; }
      .label .value { font-size: 20px; font-weight: 700; fill: #22d3ee; font-variant-numeric: tabular-nums; }
      .label .value.yuan { fill: #fbbf24; }
      .legend { position: absolute; left: 12px; bottom: 12px; width: 280px; font-size: 18px; color: #94a3b8; transition: opacity 0.4s; }
      .ramp { height: 12px; border-radius: 2px; border: 1px solid rgba(148, 163, 184, 0.3); }
      .ticks { position: relative; height: 28px; font-variant-numeric: tabular-nums; white-space: nowrap; }
      .ticks span { position: absolute; top: 4px; transform: translateX(-50%); }
      .ticks span:first-child { transform: none; }
      .ticks span:last-child { transform: translateX(-100%); }
      .none { display: flex; align-items: center; gap: 8px; margin-top: 6px; }
      .none i { display: inline-block; width: 22px; height: 12px; background: ${unsafeCSS(NO_SALES)}; border: 1px solid rgba(148, 163, 184, 0.45); }
      .empty { pointer-events: none; }
      .empty::before {
        content: '';
        position: absolute;
        inset: 30% 30%;
        background: rgba(5, 14, 34, 0.7);
        filter: blur(20px);
        z-index: -1;
      }
      .skeleton {
        position: absolute;
        inset: 10% 8%;
        border-radius: 12px;
        background: linear-gradient(90deg, rgba(148, 163, 184, 0.06) 25%, rgba(148, 163, 184, 0.16) 50%, rgba(148, 163, 184, 0.06) 75%);
        background-size: 200% 100%;
        animation: shimmer 1.6s linear infinite;
      }
      @media (prefers-reduced-motion: reduce) {
        .skeleton { animation: none; }
        .map, .legend { transition: none; }
      }
    `,
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'rx-map': RxMap;
  }
}
