// live.stats: a live-stream room's viewers and its cumulative GMV today (直播).
import { ChannelT, Fen, Id, Viewers, eventSchema } from '../common.ts';

export const LiveStats = eventSchema('live.stats', {
  room_id: Id,
  channel: ChannelT,
  viewers: Viewers,
  gmv_fen: Fen,
});
