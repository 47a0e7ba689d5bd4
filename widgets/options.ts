// What a screen file may put in each widget's `options`, one TypeBox declaration per element. DOM-free (no
// lit, no document): the server imports it in Node to validate screen files, the widgets to read their
// options with the defaults filled in (readOptions in format-extra.ts).
import { Type, type Static, type TSchema } from 'typebox';
import { VALUE_FORMATS } from './format.js';
import { VALUE_FORMATS as SECONDARY_FORMATS } from './format-extra.js';
import { LABEL_SETS, type LabelSet } from './labels.js';

/** A string enum whose TypeScript type is the union of its values (TypeBox infers `never` from a mapped array). */
const oneOf = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>(Type.Union(values.map((v) => Type.Literal(v)), description ? { description } : {}));

const LABEL_SET_NAMES = Object.keys(LABEL_SETS) as LabelSet[];
const LocalText = Type.Object({ 'zh-CN': Type.String(), en: Type.String() }, { additionalProperties: false });

// ---------------------------------------------------------------------------------------------------
// rx-kpi and rx-line: the screen runtime picks their numbers out of the metric value.

/** yuan: integer fen (short form + exact line) · count · bp: basis points as a percent · seconds: a duration. */
export const KPI_FORMATS = ['yuan', 'count', 'bp', 'seconds'] as const;
export type KpiFormat = (typeof KPI_FORMATS)[number];

/** Options of <rx-kpi> in a screen file. */
export const RxKpiOptions = Type.Object(
  {
    field: Type.Optional(Type.String({ description: 'dot path to the number in the value; default the value itself' })),
    deltaField: Type.Optional(Type.String({ description: 'dot path to the change shown under the number (same unit); default none' })),
    format: Type.Optional(oneOf(KPI_FORMATS, `one of: ${KPI_FORMATS.join(', ')}; default count`)),
  },
  { additionalProperties: false },
);
export type RxKpiOptions = Static<typeof RxKpiOptions>;

/** Options of <rx-line> in a screen file. */
export const RxLineOptions = Type.Object(
  {
    items: Type.Optional(Type.String({ description: 'dot path to the minute points ({minute, orders}) in the value; default the value itself' })),
    compare: Type.Optional(Type.String({ description: 'dot path to the comparison day drawn dashed under it; default the value itself' })),
  },
  { additionalProperties: false },
);
export type RxLineOptions = Static<typeof RxLineOptions>;

// ---------------------------------------------------------------------------------------------------
// Sales and ops widgets: gauge, bar, ring, top-N, list.

/** Options of <rx-gauge> in a screen file. */
export const RxGaugeOptions = Type.Object(
  {
    channels: Type.Optional(Type.Boolean({ default: false, description: 'also show one progress bar per channel' })),
  },
  { additionalProperties: false },
);
export type RxGaugeOptions = Static<typeof RxGaugeOptions>;

const FormatName = oneOf(VALUE_FORMATS, `one of: ${VALUE_FORMATS.join(', ')}`);
const LabelSetName = oneOf(LABEL_SET_NAMES, 'a label set of widgets/labels.ts that names the codes');

/** Options of <rx-bar> in a screen file. */
export const RxBarOptions = Type.Object(
  {
    items: Type.Optional(Type.String({ description: 'dot path to the array inside the value; default: the value is the array' })),
    x: Type.String({ description: 'field of the category (e.g. "channel")' }),
    xFallback: Type.Optional(Type.String({ description: 'field shown when `x` is null (e.g. "warehouse_id" for "name")' })),
    y: Type.String({ description: 'numeric field (e.g. "gmv_fen")' }),
    series: Type.Optional(Type.String({ description: 'field splitting each category into coloured bars (e.g. "warehouse_id")' })),
    stack: Type.Optional(Type.Boolean({ default: true, description: 'series stacked (true) or side by side (false)' })),
    format: Type.Optional(FormatName),
    labels: Type.Optional(LabelSetName),
    seriesLabels: Type.Optional(LabelSetName),
    orientation: Type.Optional(oneOf(['vertical', 'horizontal'] as const, 'default vertical')),
    limit: Type.Optional(Type.Integer({ minimum: 1, description: 'keep the N largest bars' })),
  },
  { additionalProperties: false },
);
export type RxBarOptions = Static<typeof RxBarOptions>;

/** Options of <rx-ring> in a screen file. */
export const RxRingOptions = Type.Object(
  {
    items: Type.Optional(Type.String({ description: 'dot path to the array (or object) inside the value; default: the value itself' })),
    x: Type.Optional(Type.String({ description: 'field naming each slice (rows of an array)' })),
    y: Type.Optional(Type.String({ description: 'numeric field of each slice (rows of an array)' })),
    fields: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: 'numeric fields of an object value, one slice each' })),
    fieldLabels: Type.Optional(Type.Record(Type.String(), LocalText, { description: 'display names of `fields`' })),
    format: Type.Optional(oneOf(VALUE_FORMATS)),
    labels: Type.Optional(oneOf(LABEL_SET_NAMES)),
  },
  { additionalProperties: false },
);
export type RxRingOptions = Static<typeof RxRingOptions>;

/** Options of <rx-topn> in a screen file. */
export const RxTopnOptions = Type.Object(
  {
    items: Type.Optional(Type.String({ description: 'dot path to the array inside the value; default: the value is the array' })),
    name: Type.String({ description: 'field of the name (e.g. "name", "province")' }),
    nameFallback: Type.Optional(Type.String({ description: 'field shown when `name` is null (e.g. "sku_id")' })),
    value: Type.String({ description: 'numeric field ranked and shown (e.g. "gmv_fen")' }),
    format: Type.Optional(oneOf(VALUE_FORMATS)),
    labels: Type.Optional(oneOf(LABEL_SET_NAMES)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
    order: Type.Optional(oneOf(['desc', 'asc'] as const, 'largest first (desc, default) or smallest first (asc, e.g. days of cover)')),
    secondary: Type.Optional(Type.String({ description: 'a second numeric field shown smaller (e.g. "qty")' })),
    secondaryFormat: Type.Optional(oneOf(VALUE_FORMATS)),
  },
  { additionalProperties: false },
);
export type RxTopnOptions = Static<typeof RxTopnOptions>;

/** Cell formats: the number formats plus an instant ('time', HH:MM:SS in `tz`) and a waiting time ('age', seconds). */
export const LIST_FORMATS = [...VALUE_FORMATS, 'time', 'age'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

const ListColumn = Type.Object(
  {
    field: Type.String(),
    format: Type.Optional(oneOf(LIST_FORMATS)),
    labels: Type.Optional(oneOf(LABEL_SET_NAMES)),
    values: Type.Optional(
      Type.Record(Type.String(), LocalText, {
        description: 'display names of codes in this column, when no label set has them (e.g. {"waiting": {"zh-CN": "待审", "en": "Waiting"}})',
      }),
    ),
    label: Type.Optional(LocalText),
    width: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1 }), Type.String()], { description: 'px, or a CSS grid track such as "2fr"; default 1fr' }),
    ),
  },
  { additionalProperties: false },
);
export type ListColumn = Static<typeof ListColumn>;

/** Options of <rx-list> in a screen file. */
export const RxListOptions = Type.Object(
  {
    items: Type.Optional(Type.String({ description: 'dot path to the array inside the value; default: the value is the array' })),
    key: Type.Optional(Type.String({ description: 'field identifying a row (e.g. "order_id"), so rows move instead of blinking' })),
    columns: Type.Array(ListColumn, { minItems: 1 }),
    rowHeight: Type.Optional(Type.Integer({ minimum: 28, maximum: 120, default: 46, description: 'px' })),
    visible: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 8, description: 'rows in view; more rows scroll' })),
    secondsPerRow: Type.Optional(Type.Number({ minimum: 0.5, maximum: 30, default: 3, description: 'scroll speed when the list is longer than `visible`' })),
  },
  { additionalProperties: false },
);
export type RxListOptions = Static<typeof RxListOptions>;

// ---------------------------------------------------------------------------------------------------
// Map, band, funnel, alert feed, countdown: options read with readOptions (defaults filled in).

/** `items`: where a list widget finds its rows; the same words in every widget that has it. */
const itemsPath = (what: string) => Type.Optional(Type.String({ default: '', description: `dot path to the ${what} in the value; default the value itself` }));
/** `limit`: rows shown at the most, in the order given. */
const rowLimit = (maximum: number, fallback: number, order = 'in the order given') =>
  Type.Optional(Type.Integer({ minimum: 1, maximum, default: fallback, description: `at most this many rows, ${order}` }));
const secondaryFormat = (fallback: string, description: string) =>
  Type.Optional(Type.Union(SECONDARY_FORMATS.map((f) => Type.Literal(f)), { default: fallback, description }));

/** Options of <rx-map> in a screen file. */
export const RxMapOptions = Type.Object(
  {
    items: itemsPath('list'),
    name: Type.Optional(Type.String({ default: 'province', description: 'field with the province short name (广东, 内蒙古…)' })),
    value: Type.Optional(Type.String({ default: 'gmv_fen', description: 'numeric field that colours the province' })),
    format: secondaryFormat('yuan', 'yuan: integer fen; count'),
    top: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, default: 5, description: 'how many of the largest provinces get a label' })),
  },
  { additionalProperties: false },
);
export type RxMapOptions = Static<typeof RxMapOptions>;

/** Options of <rx-band> in a screen file. */
export const RxBandOptions = Type.Object(
  {
    items: itemsPath('sensor list'),
    limit: rowLimit(50, 12),
  },
  { additionalProperties: false },
);
export type RxBandOptions = Static<typeof RxBandOptions>;

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
        LABEL_SET_NAMES.map((k) => Type.Literal(k)),
        { default: 'rx_stage', description: `display names of the stages: one of ${LABEL_SET_NAMES.join(', ')}` },
      ),
    ),
  },
  { additionalProperties: false },
);
export type RxFunnelOptions = Static<typeof RxFunnelOptions>;

/** Options of <rx-alert-feed> in a screen file. */
export const RxAlertFeedOptions = Type.Object(
  {
    limit: rowLimit(30, 8, 'latest first'),
  },
  { additionalProperties: false },
);
export type RxAlertFeedOptions = Static<typeof RxAlertFeedOptions>;

/** Options of <rx-countdown> in a screen file. */
export const RxCountdownOptions = Type.Object(
  {
    items: Type.Optional(Type.String({ default: '', description: 'dot path to the list in the value (e.g. "items"); default the value itself' })),
    id: Type.Optional(Type.String({ default: 'id', description: 'field identifying a row (data-shown); falls back to the name' })),
    name: Type.Optional(Type.String({ default: 'name', description: 'field shown as the row title' })),
    days: Type.Optional(Type.String({ default: 'days_left', description: 'integer field: days left, negative when overdue' })),
    date: Type.Optional(Type.String({ default: 'expires_on', description: 'YYYY-MM-DD field shown under the title' })),
    value: Type.Optional(Type.String({ description: 'optional secondary number field (e.g. "value_fen")' })),
    format: secondaryFormat('yuan', 'format of the secondary number'),
    limit: rowLimit(50, 10),
  },
  { additionalProperties: false },
);
export type RxCountdownOptions = Static<typeof RxCountdownOptions>;

// ---------------------------------------------------------------------------------------------------

/** The widget elements a screen may place (the same list as WIDGET_TYPES in screens/schema.ts). */
export type WidgetTag =
  | 'rx-kpi'
  | 'rx-line'
  | 'rx-gauge'
  | 'rx-bar'
  | 'rx-ring'
  | 'rx-topn'
  | 'rx-list'
  | 'rx-map'
  | 'rx-band'
  | 'rx-funnel'
  | 'rx-alert-feed'
  | 'rx-countdown';

/** Every widget a screen may place, by tag, with the schema of its `options`. */
export const WIDGET_OPTIONS: Record<WidgetTag, TSchema> = {
  'rx-kpi': RxKpiOptions,
  'rx-line': RxLineOptions,
  'rx-gauge': RxGaugeOptions,
  'rx-bar': RxBarOptions,
  'rx-ring': RxRingOptions,
  'rx-topn': RxTopnOptions,
  'rx-list': RxListOptions,
  'rx-map': RxMapOptions,
  'rx-band': RxBandOptions,
  'rx-funnel': RxFunnelOptions,
  'rx-alert-feed': RxAlertFeedOptions,
  'rx-countdown': RxCountdownOptions,
};
