// What a client may send on a socket, declared once (STYLE §5): each event's payload schema gives its
// validator here and its TypeScript type in protocol.ts. Anything else (another shape, an extra field, a
// `__proto__` or `toString` key, an array, a long string) is refused with RXP_ERR_BAD_REQUEST before a
// handler sees it. Server only: the browser bundle imports protocol.ts, which takes the types alone.
import { Type, type Static, type TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import type { ClientToServerEvents } from './protocol.ts';

/** A param value as a screen sends it: metric declarations (server/metrics) check each one further. */
const ParamValue = Type.Union([Type.String({ maxLength: 256 }), Type.Number(), Type.Boolean()]);

export const SubscribeRequest = Type.Object(
  {
    metric: Type.String({ minLength: 1, maxLength: 128 }),
    // Lower-case names only: no inherited name (`__proto__`, `toString`) can pass.
    params: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }), ParamValue, { additionalProperties: false, maxProperties: 16 })),
  },
  { additionalProperties: false },
);
export type SubscribeRequest = Static<typeof SubscribeRequest>;

/** A subscription key as the server sent it (metric id + canonical params, server/metrics/run.ts). */
export const KeyRequest = Type.Object({ key: Type.String({ minLength: 1, maxLength: 2_048 }) }, { additionalProperties: false });
export type KeyRequest = Static<typeof KeyRequest>;

/** What a paired wall says about itself every 30 s (server/displays/presence.ts). */
const Count = (max: number) => Type.Union([Type.Number({ minimum: 0, maximum: max }), Type.Null()]);
export const DisplayReportRequest = Type.Object(
  {
    version: Type.String({ maxLength: 64 }),
    screen_size: Type.Object({ width: Type.Integer({ minimum: 0, maximum: 100_000 }), height: Type.Integer({ minimum: 0, maximum: 100_000 }) }, { additionalProperties: false }),
    uptime_s: Type.Number({ minimum: 0, maximum: 1e9 }),
    heap_bytes: Count(1e13),
    fps: Count(1_000),
    data_age_s: Count(1e9),
    screen_id: Type.Union([Type.String({ maxLength: 63 }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type DisplayReportRequest = Static<typeof DisplayReportRequest>;

/** Compile-time check: what a schema accepts is a valid request of the protocol's types (protocol.ts). */
type Accepts<S, E extends keyof ClientToServerEvents> = [S] extends [Parameters<ClientToServerEvents[E]>[0]] ? true : false;
export type RequestTypesAgree = [Accepts<SubscribeRequest, 'metric:subscribe'>, Accepts<KeyRequest, 'metric:snapshot'>, Accepts<KeyRequest, 'metric:unsubscribe'>, Accepts<DisplayReportRequest, 'display:report'>] extends [true, true, true, true] ? true : never;
export const REQUEST_TYPES_AGREE: RequestTypesAgree = true;

/** Every client-to-server event with its payload schema and whether it expects an ack. */
export const REQUESTS = {
  'metric:subscribe': { schema: SubscribeRequest, ack: true },
  'metric:snapshot': { schema: KeyRequest, ack: true },
  'metric:unsubscribe': { schema: KeyRequest, ack: false },
  'display:report': { schema: DisplayReportRequest, ack: false },
} as const satisfies Record<string, { schema: TSchema; ack: boolean }>;

export type RequestName = keyof typeof REQUESTS;

const validators = new Map<RequestName, Validator>();

/** The compiled validator of an event's payload (compiled once). */
export function requestValidator(name: RequestName): Validator {
  let v = validators.get(name);
  if (!v) validators.set(name, (v = Compile(REQUESTS[name].schema)));
  return v;
}
