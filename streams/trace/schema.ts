// trace.scan: one 20-digit drug traceability code (药品追溯码) scanned in or out of a warehouse.
import { Type } from 'typebox';
import { Id, eventSchema } from '../common.ts';

export const TraceCode = Type.String({ pattern: '^[0-9]{20}$', description: 'exactly 20 digits' });

export const TraceScan = eventSchema('trace.scan', {
  code: TraceCode,
  sku_id: Id,
  batch_no: Id,
  warehouse_id: Id,
  direction: Type.Enum(['in', 'out']),
  order_id: Type.Optional(Id),
  box_id: Type.Optional(Id),
});
