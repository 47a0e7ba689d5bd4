// Demo live-stream rooms (直播): five 抖音 / 天猫 rooms, each reporting every 5 s while on air. Viewers follow
// the day curve with smooth noise; gmv_fen is the room's cumulative GMV for the business day, an integral of
// the same curve precomputed once per room and day, so it never decreases and needs no state.
import type { Resolved } from '../demo/options.ts';
import { SALT, hash01, smoothNoise } from '../demo/random.ts';
import { curveAt, dayLengthSeconds, dayStartSecond } from '../demo/time.ts';
import type { Channel } from '../orders/catalogue.ts';

export interface LiveRoom {
  readonly room_id: string;
  readonly channel: Extract<Channel, 'douyin' | 'tmall'>;
  readonly name: string;
  /** Share of the whole day's GMV that this room sells. */
  readonly gmvShare: number;
  /** Viewers at a day-curve level of 1. */
  readonly viewers: number;
  /** Local hours on air, [from, to). */
  readonly onAir: ReadonlyArray<readonly [number, number]>;
}

type EventHead<T extends string> = { event_id: string; type: T; ts: string };
export type LiveStatsEvent = EventHead<'live.stats'> & { room_id: string; channel: LiveRoom['channel']; viewers: number; gmv_fen: number };

export const LIVE_EVERY_S = 5;

export const LIVE_ROOMS: readonly LiveRoom[] = [
  { room_id: 'douyin-kangrui-main', channel: 'douyin', name: '康瑞健康直播间', gmvShare: 0.035, viewers: 42_000, onAir: [[0, 24]] },
  { room_id: 'douyin-pharmacist-talk', channel: 'douyin', name: '康瑞药师说', gmvShare: 0.012, viewers: 15_000, onAir: [[9, 24]] },
  { room_id: 'douyin-star-special', channel: 'douyin', name: '达人专场·健康好物节', gmvShare: 0.03, viewers: 160_000, onAir: [[19, 23]] },
  { room_id: 'tmall-kangrui-flagship', channel: 'tmall', name: '康瑞大药房旗舰店直播', gmvShare: 0.025, viewers: 30_000, onAir: [[0, 24]] },
  { room_id: 'tmall-health-night', channel: 'tmall', name: '天猫健康双11夜场', gmvShare: 0.015, viewers: 70_000, onAir: [[0, 2], [20, 24]] },
];

const onAir = (room: LiveRoom, secOfDay: number): boolean => room.onAir.some(([a, b]) => secOfDay >= a * 3600 && secOfDay < b * 3600);

const cumCache = new Map<string, Float64Array>();
/** Cumulative GMV (fen, fractional) at the end of every 5-s step of the day, one array per room and day. */
function cumulative(o: Resolved, roomIdx: number, date: string, dayGmvFen: number): Float64Array {
  const key = `${o.key}|${roomIdx}|${date}`;
  let cum = cumCache.get(key);
  if (cum) return cum;
  const start = dayStartSecond(o.tz, date), steps = Math.ceil(dayLengthSeconds(o.tz, date) / LIVE_EVERY_S);
  const room = LIVE_ROOMS[roomIdx];
  const inc = new Float64Array(steps);
  let total = 0;
  for (let i = 0; i < steps; i++) {
    const t = start + i * LIVE_EVERY_S;
    if (!onAir(room, i * LIVE_EVERY_S)) continue;
    inc[i] = curveAt(o.zone, t) * (0.5 + hash01(o.seedHash, t, roomIdx, SALT.LIVE));
    total += inc[i];
  }
  cum = new Float64Array(steps);
  let acc = 0;
  const scale = total > 0 ? (dayGmvFen * room.gmvShare) / total : 0;
  for (let i = 0; i < steps; i++) { acc += inc[i] * scale; cum[i] = acc; }
  if (cumCache.size >= 32) cumCache.delete(cumCache.keys().next().value as string);
  cumCache.set(key, cum);
  return cum;
}

/** The room reports due in one second; `dayGmvFen` is the expected GMV of the whole day (targets use it too). */
export function liveStats(o: Resolved, second: number, date: string, dayGmvFen: number, ts: (ms: number) => string): LiveStatsEvent[] {
  const sinceStart = second - dayStartSecond(o.tz, date);
  const out: LiveStatsEvent[] = [];
  LIVE_ROOMS.forEach((room, idx) => {
    if ((sinceStart - idx) % LIVE_EVERY_S !== 0 || sinceStart < idx) return;
    const step = (sinceStart - idx) / LIVE_EVERY_S;
    const cum = cumulative(o, idx, date, dayGmvFen);
    const live = onAir(room, sinceStart);
    let viewers = 0;
    if (live) {
      // Viewers ramp up over the first 10 minutes of a show and follow the curve's shape, not its full swing.
      let since = Infinity;
      for (const [a] of room.onAir) if (sinceStart >= a * 3600) since = Math.min(since, sinceStart - a * 3600);
      const ramp = Math.min(1, (since + 60) / 600);
      const level = Math.pow(curveAt(o.zone, second), 0.7) * (1 + 0.12 * smoothNoise(o.seedHash, idx, second, 90, SALT.LIVE));
      viewers = Math.max(0, Math.round(room.viewers * level * ramp));
    }
    out.push({ event_id: `demo-${o.tag}-live-${room.room_id}-${second}`, type: 'live.stats', ts: ts(50 + idx * 100),
      room_id: room.room_id, channel: room.channel, viewers, gmv_fen: Math.floor(cum[Math.min(step, cum.length - 1)]) });
  });
  return out;
}
