// Field types shared by every stream's event declarations (CONTRACT "Conventions"). One declaration gives
// validation, the TypeScript type (Static<>) and the documentation.
import { Type, type TSchema } from 'typebox';
import { Format } from 'typebox/format';

export const CHANNELS = ['tmall', 'jd', 'pdd', 'douyin', 'meituan', 'own'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The 31 mainland provinces by Chinese short name. */
export const PROVINCES = [
  '北京', '天津', '河北', '山西', '内蒙古', '辽宁', '吉林', '黑龙江', '上海', '江苏', '浙江', '安徽', '福建', '江西', '山东',
  '河南', '湖北', '湖南', '广东', '广西', '海南', '重庆', '四川', '贵州', '云南', '西藏', '陕西', '甘肃', '青海', '宁夏', '新疆',
] as const;
export type Province = (typeof PROVINCES)[number];

// RFC 3339 with a mandatory offset and a 'T' separator; the calendar date and the clock must exist.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;
export function isRfc3339(s: string): boolean {
  const m = RFC3339.exec(s);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return false;
  return !Number.isNaN(Date.parse(s));
}
Format.Set('rfc3339', isRfc3339);

/** Epoch ms accepted for `ts`: 2000-01-01 … 2100-01-01 (anything else is a unit mistake, e.g. seconds). */
const EPOCH_MS_MIN = 946_684_800_000;
const EPOCH_MS_MAX = 4_102_444_800_000;

export const Ts = Type.Union(
  [Type.String({ format: 'rfc3339' }), Type.Integer({ minimum: EPOCH_MS_MIN, maximum: EPOCH_MS_MAX })],
  { description: 'must be an RFC 3339 timestamp with offset (e.g. 2026-11-11T00:00:01.250+08:00) or epoch milliseconds' },
);

/** Epoch milliseconds of a validated `ts`. */
export function tsMillis(ts: string | number): number {
  return typeof ts === 'number' ? ts : Date.parse(ts);
}

export const Id = Type.String({ minLength: 1, maxLength: 128 });
export const Text = Type.String({ maxLength: 512 });
export const Fen = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'integer fen, not negative' });
export const ChannelT = Type.Enum([...CHANNELS]);
export const ProvinceT = Type.Enum([...PROVINCES]);

/** The envelope every event has: event_id, type (a literal per declaration), ts. */
export function eventSchema<T extends string, P extends Record<string, TSchema>>(type: T, fields: P) {
  return Type.Object({ event_id: Id, type: Type.Literal(type), ts: Ts, ...fields });
}
