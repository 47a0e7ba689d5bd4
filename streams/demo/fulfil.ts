// Shipping a demo order: one inventory.pick per line (batch chosen FEFO from the warehouse's stock plan of
// the shipping day), one box per pack of a traced SKU with its code scanned out (streams/trace/demo.ts), then
// order.shipped carrying the boxes. EXPIRED_OUTBOUND is injected here: the pick takes the expired batch.
import { SKU_BY_ID, type DemoOrder } from '../orders/basket.ts';
import type { Sku } from '../orders/catalogue.ts';
import type { OrderShippedEvent, ShippedBox } from '../orders/events.ts';
import type { Head } from '../orders/heads.ts';
import { stockPlan, type InventoryEvent } from '../inventory/demo.ts';
import { packLine, type TraceScanEvent } from '../trace/demo.ts';
import type { Resolved } from './options.ts';
import { SALT, rngFor, type Rng } from './random.ts';
import { dateOfSecond } from './time.ts';

export interface PickedLine { index: number; sku: Sku; qty: number; batch_no: string; expired: boolean }

/** Main batch 80 % of the time, the next one 20 %: two lots on the shelf at once. */
const MAIN_SHARE = 0.8;

/** The batch of each line, as picked on the order's shipping day. Pure: returns regenerate it. */
export function pickLines(o: Resolved, h: Head, body: DemoOrder, r: Rng = rngFor(o.seedHash, h.second, h.n, SALT.PICK)): PickedLine[] {
  const plan = stockPlan(o, dateOfSecond(o.zone, Math.floor(h.shipAt! / 1000)));
  return body.details.lines.map((l, index) => {
    const sku = SKU_BY_ID.get(l.sku_id)!;
    const uExpired = r(), uMain = r(); // always both: rates change the violations only
    const slot = plan.byWarehouse.get(h.warehouse_id)!.get(sku.sku_id)!;
    if (slot.expired !== null && uExpired < o.v.EXPIRED_OUTBOUND) return { index, sku, qty: l.qty, batch_no: slot.expired, expired: true };
    const batch_no = slot.alt !== null && uMain >= MAIN_SHARE ? slot.alt : slot.main;
    return { index, sku, qty: l.qty, batch_no, expired: false };
  });
}

export type ShipEvent = InventoryEvent | TraceScanEvent | OrderShippedEvent;

export function shipEvents(o: Resolved, h: Head, body: DemoOrder, ts: string): ShipEvent[] {
  const r = rngFor(o.seedHash, h.second, h.n, SALT.PICK);
  const out: ShipEvent[] = [];
  const boxes: ShippedBox[] = [], scans: TraceScanEvent[] = [];
  for (const p of pickLines(o, h, body, r)) {
    out.push({ event_id: `${h.idBase}-pick-${p.index}`, type: 'inventory.pick', ts, warehouse_id: h.warehouse_id,
      sku_id: p.sku.sku_id, batch_no: p.batch_no, qty: p.qty, order_id: h.order_id });
    if (p.sku.traced) packLine(o, h, p, r, ts, boxes, scans);
  }
  for (const scan of scans) out.push(scan);
  const shipped: OrderShippedEvent = { event_id: `${h.idBase}-shipped`, type: 'order.shipped', ts, order_id: h.order_id,
    warehouse_id: h.warehouse_id };
  if (boxes.length > 0) shipped.boxes = boxes;
  out.push(shipped);
  return out;
}

/** Categories that go back on the shelf when refunded; medicines, once sold, don't (药品一经售出不得退换). */
const RESTOCKABLE = new Set(['device', 'supplement']);

/** Returns of a refunded, shipped order: the refunded lines that can be restocked, into the batch picked. */
export function returnEvents(o: Resolved, h: Head, body: DemoOrder, full: boolean, ts: string): InventoryEvent[] {
  const picked = pickLines(o, h, body);
  return picked.filter((p) => (full || p.index === 0) && RESTOCKABLE.has(p.sku.category)).map((p) => ({
    event_id: `${h.idBase}-return-${p.index}`, type: 'inventory.return', ts, warehouse_id: h.warehouse_id,
    sku_id: p.sku.sku_id, batch_no: p.batch_no, qty: p.qty, order_id: h.order_id,
  }));
}
