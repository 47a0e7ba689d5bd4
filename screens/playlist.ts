// Playlists (CONTRACT "Displays"): the screens a wall rotates through, each for its seconds, and a weekly
// schedule in TZ_BUSINESS that replaces the rotation during its hours (mornings: the warehouse screen;
// 20:00–02:00 on 双11: the war room). DOM-free: the server validates with it, the wall runtime picks what
// to show with `itemsAt`.
import { Type, type Static } from 'typebox';

const ScreenId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'a screen id' });
const Time = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM in TZ_BUSINESS' });

export const PlaylistItem = Type.Object(
  { screen_id: ScreenId, seconds: Type.Integer({ minimum: 5, maximum: 86_400, description: 'how long the screen stays, 5 s … 24 h' }) },
  { additionalProperties: false },
);
export type PlaylistItem = Static<typeof PlaylistItem>;

const Items = Type.Array(PlaylistItem, { minItems: 1, maxItems: 50 });

export const ScheduleEntry = Type.Object(
  {
    days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1, maxItems: 7, uniqueItems: true, description: 'ISO weekdays: 1 Monday … 7 Sunday' }),
    dates: Type.Optional(
      Type.Array(Type.String({ pattern: '^([0-9]{4}-)?(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' }), {
        minItems: 1,
        maxItems: 366,
        description: 'only on these dates too: MM-DD every year (11-11) or YYYY-MM-DD',
      }),
    ),
    from: Time,
    to: Time,
    items: Items,
  },
  { additionalProperties: false, description: 'from ≤ to: that span of each day; from > to: across midnight (the part after midnight belongs to the day it started)' },
);
export type ScheduleEntry = Static<typeof ScheduleEntry>;

export const Playlist = Type.Object(
  {
    title: Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Object({ 'zh-CN': Type.String({ minLength: 1, maxLength: 200 }), en: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false })]),
    items: Items,
    schedule: Type.Optional(Type.Array(ScheduleEntry, { maxItems: 50 })),
  },
  { additionalProperties: false },
);
export type Playlist = Static<typeof Playlist>;

/** Every screen a playlist may show (its rotation and every schedule entry's). */
export function playlistScreens(p: Playlist): string[] {
  return [...new Set([...p.items, ...(p.schedule ?? []).flatMap((s) => s.items)].map((i) => i.screen_id))];
}

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Date (YYYY-MM-DD), weekday (1 Monday … 7 Sunday) and minute of the day of `ms` in `tz`. */
export function localClock(ms: number, tz: string): { date: string; weekday: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1;
  return { date: `${get('year')}-${get('month')}-${get('day')}`, weekday, minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

const onDate = (s: ScheduleEntry, date: string): boolean => !s.dates || s.dates.some((d) => (d.length === 5 ? date.slice(5) === d : date === d));

/**
 * What the playlist rotates at instant `ms`: the items of the first schedule entry whose hours hold it,
 * else the playlist's own items. An entry across midnight (20:00–02:00 on Tuesday, or on 11-11) holds that
 * day from 20:00 and the next until 02:00.
 */
export function itemsAt(p: Playlist, ms: number, tz: string): PlaylistItem[] {
  const now = localClock(ms, tz);
  const before = localClock(ms - 86_400_000, tz);
  for (const s of p.schedule ?? []) {
    const from = minutes(s.from);
    const to = minutes(s.to);
    const today = s.days.includes(now.weekday) && onDate(s, now.date);
    const started = s.days.includes(before.weekday) && onDate(s, before.date);
    const holds = from <= to ? today && now.minute >= from && now.minute < to : (today && now.minute >= from) || (started && now.minute < to);
    if (holds) return s.items;
  }
  return p.items;
}

/** The item shown `elapsedMs` into a rotation of `items` (each for its seconds, round and round). */
export function itemAfter(items: readonly PlaylistItem[], elapsedMs: number): { index: number; remainingMs: number } {
  const cycle = items.reduce((n, i) => n + i.seconds * 1000, 0);
  let t = ((elapsedMs % cycle) + cycle) % cycle;
  for (let index = 0; index < items.length; index++) {
    const d = items[index].seconds * 1000;
    if (t < d) return { index, remainingMs: d - t };
    t -= d;
  }
  return { index: 0, remainingMs: items[0].seconds * 1000 };
}
