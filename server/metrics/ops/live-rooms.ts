// live.rooms: the live-stream rooms of the day with their latest viewers and cumulative GMV.
import { toInt } from '../../plugins/clickhouse.ts';
import { dayRange, toBusinessIso } from '../../time.ts';
import { defineMetric } from '../metric.ts';
import { DateParam, withToday } from '../params.ts';
import { msParam, rows } from './common.ts';

export interface LiveRoom {
  room_id: string;
  channel: string;
  viewers: number;
  gmv_fen: number;
  /** ts of the room's latest live.stats of the day, RFC 3339 in the business zone. */
  ts: string;
}

export interface LiveRooms {
  rooms: LiveRoom[];
  /** Sums over the rooms' latest stats (a room that ended keeps its last figures for the day). */
  viewers: number;
  gmv_fen: number;
}

const MAX_ROOMS = 1_000;

/**
 * Latest = greatest ts of the day (event_id breaks a tie), not the last to arrive, so a late, older stat
 * never overwrites a newer one. gmv_fen is the room's own cumulative figure for its day, read as sent (it is
 * not the order stream's GMV). Rooms by gmv_fen desc, then room_id.
 */
export const liveRooms = defineMetric({
  id: 'live.rooms',
  description: { 'zh-CN': '直播间实时数据（观看人数、累计成交额）', en: 'Live-stream rooms: latest viewers and cumulative GMV of the day' },
  params: DateParam,
  value: '{"rooms":[{"room_id","channel","viewers","gmv_fen","ts"}],"viewers","gmv_fen"}',
  streams: ['live'],
  resolve: withToday,
  async compute(ctx, { date }): Promise<LiveRooms> {
    const { fromMs, toMs } = dayRange(date!, ctx.tz);
    // Minute buckets start on whole minutes in every zone, so the day's range is exact.
    const list = await rows<{ room_id: string; last: [string, string | number, string, string] }>(
      ctx,
      `SELECT room_id, argMaxMerge(last) AS last
       FROM ${ctx.storage.db}.live_room_minute
       WHERE minute >= toStartOfMinute(${msParam('from')}) AND minute < toStartOfMinute(${msParam('to')})
       GROUP BY room_id
       ORDER BY last.3 DESC, room_id
       LIMIT {max:UInt32}`,
      { from: fromMs, to: toMs, max: MAX_ROOMS },
    );
    const rooms = list.map((r) => ({
      room_id: r.room_id,
      channel: r.last[0],
      viewers: toInt(r.last[1]),
      gmv_fen: toInt(r.last[2]),
      ts: toBusinessIso(Date.parse(`${r.last[3].replace(' ', 'T')}Z`), ctx.tz),
    }));
    return {
      rooms,
      viewers: rooms.reduce((n, r) => n + r.viewers, 0),
      gmv_fen: rooms.reduce((n, r) => n + r.gmv_fen, 0),
    };
  },
});
