// warehouse.picks_per_hour: outbound picking throughput per hour and warehouse, from the hourly rollup.
import { DateTime } from 'luxon';
import { toInt } from '../../plugins/clickhouse.ts';
import { defineMetric } from '../metric.ts';
import { DateParam, dayParams, withToday } from '../params.ts';
import { rows } from './common.ts';

export interface PicksHour {
  hour: string;
  warehouse_id: string;
  /** Units picked: sum of qty of the inventory.pick events of the hour. */
  picks: number;
  /** Pick events (pick lines) of the hour. */
  moves: number;
}

/**
 * Hours are those of the events' own ts (a late pick dated yesterday lands in yesterday's hour). The rollup
 * buckets UTC hours; in whole-hour zones such as Asia/Shanghai they are the business zone's hours, labelled
 * there ("HH:00"). Only hours with picks are listed (the widget fills gaps), sorted by hour then warehouse.
 */
export const warehousePicksPerHour = defineMetric({
  id: 'warehouse.picks_per_hour',
  description: { 'zh-CN': '各仓每小时拣货件数与拣货行数', en: 'Units picked and pick lines per hour and warehouse' },
  params: DateParam,
  value: '[{"hour":"HH:00","warehouse_id","picks","moves"}]',
  streams: ['inventory'],
  resolve: withToday,
  async compute(ctx, { date }): Promise<PicksHour[]> {
    const list = await rows<{ h: string | number; warehouse_id: string; picks: string; moves: string }>(
      ctx,
      `SELECT toUnixTimestamp(hour) AS h, warehouse_id, sum(qty) AS picks, sum(moves) AS moves
       FROM ${ctx.storage.db}.inventory_hour
       WHERE type = 'inventory.pick'
         AND hour >= toDateTime({from:UInt32}, 'UTC') AND hour < toDateTime({to:UInt32}, 'UTC')
       GROUP BY hour, warehouse_id
       HAVING moves > 0
       ORDER BY hour, warehouse_id`,
      dayParams(date!, ctx.tz),
    );
    return list.map((r) => ({
      hour: DateTime.fromMillis(Number(r.h) * 1000, { zone: ctx.tz }).toFormat('HH:mm'),
      warehouse_id: r.warehouse_id,
      picks: toInt(r.picks),
      moves: toInt(r.moves),
    }));
  },
});
