// The one declaration of a screen file (config as code). The server validates files and admin updates with
// it, serves it as JSON Schema at GET /api/v1/schema/screen.json, and the screen runtime uses its types.
// DOM-free and dependency-light: imported by the server (Node) and, for types only, by the browser bundle.
import { Type, type Static, type TSchema } from 'typebox';
import { WIDGET_OPTIONS, type WidgetTag } from '../widgets/options.ts';

const Text = Type.Object(
  { 'zh-CN': Type.String({ minLength: 1 }), en: Type.String({ minLength: 1 }) },
  { additionalProperties: false, description: 'text in zh-CN (default) and English' },
);

/** Widget elements a screen may place, by their tag; each one's options schema is in widgets/options.ts. */
export const WIDGET_TYPES = Object.keys(WIDGET_OPTIONS) as WidgetTag[];
export type WidgetType = WidgetTag;

/**
 * How the 1920×1080 (or `design`) canvas meets the display:
 * - fit: scaled to fit, letterboxed (default);
 * - fill-width / fill-height: scaled to the display's width or height, the other side cropped or padded;
 * - relayout: LED walls with odd aspect ratios: the canvas takes the display's aspect ratio at the design
 *   height and the grid re-lays into it (cells grow or shrink, text keeps its size, nothing stretches).
 */
export const SCALE_MODES = ['fit', 'fill-width', 'fill-height', 'relayout'] as const;
export type ScaleMode = (typeof SCALE_MODES)[number];

export const ScreenWidget = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'unique within the screen' }),
    type: Type.Enum([...WIDGET_TYPES], { description: 'the widget element' }),
    area: Type.Object(
      {
        col: Type.Integer({ minimum: 1, maximum: 48, description: 'first grid column, from 1' }),
        row: Type.Integer({ minimum: 1, maximum: 48, description: 'first grid row, from 1' }),
        colSpan: Type.Integer({ minimum: 1, maximum: 48 }),
        rowSpan: Type.Integer({ minimum: 1, maximum: 48 }),
      },
      { additionalProperties: false },
    ),
    label: Text,
    metric: Type.String({ description: 'a metric id of GET /api/v1/metrics' }),
    params: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), { description: "the metric's params; a missing date means today" })),
    options: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "the widget's options (see widgets/options.ts)" })),
  },
  { additionalProperties: false },
);
export type ScreenWidget = Static<typeof ScreenWidget>;

export const Screen = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'the screen opens at /screens/{id}' }),
    title: Text,
    theme: Type.Optional(Type.Literal('dark', { default: 'dark' })),
    lang: Type.Optional(Type.Enum(['zh-CN', 'en'], { default: 'zh-CN', description: '?lang= in the URL wins' })),
    scale: Type.Optional(Type.Enum([...SCALE_MODES], { default: 'fit' })),
    design: Type.Optional(
      Type.Object(
        { width: Type.Integer({ minimum: 640, maximum: 7680 }), height: Type.Integer({ minimum: 360, maximum: 4320 }) },
        { additionalProperties: false, description: 'design canvas in CSS px; default 1920×1080' },
      ),
    ),
    grid: Type.Object({ columns: Type.Integer({ minimum: 1, maximum: 48 }), rows: Type.Integer({ minimum: 1, maximum: 48 }) }, { additionalProperties: false }),
    takeover: Type.Optional(
      Type.Union(
        [
          Type.Boolean({ description: 'true: any critical alert may take this screen over (strip after 60 s)' }),
          Type.Object(
            {
              rules: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Z][A-Z_]{0,63}$' }), { minItems: 1, maxItems: 32, uniqueItems: true, description: 'only alerts of these rules (default: any)' })),
              severities: Type.Optional(Type.Array(Type.Enum(['critical', 'major', 'minor']), { minItems: 1, maxItems: 3, uniqueItems: true, description: 'default: critical' })),
              strip_after_s: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_600, description: 'after this the banner shrinks to a strip in the header, so the hero numbers show again (default 60)' })),
            },
            { additionalProperties: false },
          ),
        ],
        { default: false, description: 'which open alerts take this screen over until acknowledged (the takeover policy)' },
      ),
    ),
    widgets: Type.Array(ScreenWidget, { minItems: 1, maxItems: 500 }),
  },
  { additionalProperties: false, $id: 'https://rxpulse.dev/schema/screen.json', title: 'RxPulse screen' },
);
export type Screen = Static<typeof Screen>;

/** The JSON Schema document served at /api/v1/schema/screen.json: the screen, and per widget type the
 *  schema of its options (if type is X then options follow X's schema), so an editor can check both. */
export function screenJsonSchema(): TSchema & Record<string, unknown> {
  const doc = JSON.parse(JSON.stringify(Screen)) as { properties: { widgets: { items: Record<string, unknown> } } };
  doc.properties.widgets.items.allOf = WIDGET_TYPES.map((t) => ({
    if: { properties: { type: { const: t } }, required: ['type'] },
    then: { properties: { options: JSON.parse(JSON.stringify(WIDGET_OPTIONS[t])) } },
  }));
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...doc };
}
