// live.stats: a live-stream room's viewers and its cumulative GMV today (直播).
import { Type } from 'typebox';
import { ChannelT, Fen, Id, eventSchema } from '../common.ts';

export const LiveStats = eventSchema('live.stats', {
  room_id: Id,
  channel: ChannelT,
  viewers: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
  gmv_fen: Fen,
});
