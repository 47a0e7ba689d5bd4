// Demo drug traceability (药品追溯码): 20-digit codes, one per pack of a traced SKU, scanned out with the
// pack's box when an order ships, and case codes scanned in with the morning receipts. Codes are built from
// the SKU and the pack's place in its order, never drawn at random, so two packs can only share a code when
// TRACE_CODE_DUPLICATE is injected on purpose. TRACE_CODE_MISSING ships a box with no code and no scan.
import type { Resolved } from '../demo/options.ts';
import type { Rng } from '../demo/random.ts';
import { WAREHOUSE_IDS, type Sku, type WarehouseId } from '../orders/catalogue.ts';
import type { ShippedBox } from '../orders/events.ts';

type EventHead<T extends string> = { event_id: string; type: T; ts: string };
export type TraceScanEvent = EventHead<'trace.scan'> & {
  code: string; sku_id: string; batch_no: string; warehouse_id: WarehouseId; direction: 'in' | 'out';
  order_id?: string; box_id?: string;
};

const skuDigits = (skuId: string): string => skuId.slice(4).padStart(6, '0').slice(-6);
const pad = (x: number, n: number): string => String(x).padStart(n, '0').slice(-n);

/**
 * The code on one sold pack: '8' + 6-digit product id (the 药品标识码 part), then a 13-digit serial from the
 * order's second (mod 10^7: unique for 115 days), its number (< 10,000 a second), line and pack (< 10 each).
 */
export function packCode(skuId: string, second: number, n: number, line: number, pack: number): string {
  return `8${skuDigits(skuId)}${pad(second % 10_000_000, 7)}${pad(n, 4)}${line % 10}${pack % 10}`;
}

/** The case code scanned in with a receipt: '9' + product id, so it can never equal a pack code. */
export function caseCode(skuId: string, second: number, whIdx: number, j: number): string {
  const serial = `${pad(second % 10_000_000, 7)}${whIdx % 10}${pad(j, 2)}`;
  let check = 0;
  for (const ch of serial) check = (check * 31 + Number(ch)) % 1000;
  return `9${skuDigits(skuId)}${serial}${pad(check, 3)}`;
}

export function scanEvent(eventId: string, ts: string, code: string, skuId: string, batchNo: string,
  wh: WarehouseId, direction: 'in' | 'out', ids: { order_id?: string; box_id?: string } = {}): TraceScanEvent {
  const e: TraceScanEvent = { event_id: eventId, type: 'trace.scan', ts, code, sku_id: skuId, batch_no: batchNo, warehouse_id: wh, direction };
  if (ids.order_id !== undefined) e.order_id = ids.order_id;
  if (ids.box_id !== undefined) e.box_id = ids.box_id;
  return e;
}

/** The order a shipped line belongs to, and the line as picked (its index, SKU, packs and batch). */
export interface PackedOrder { second: number; n: number; idBase: string; order_id: string; warehouse_id: WarehouseId }
export interface PackedLine { index: number; sku: Sku; qty: number; batch_no: string }

/**
 * One box per pack of a traced line, each scanned out ('out', naming its order and box). Three draws per
 * pack whatever the rates, so the rates change the violations and nothing else.
 */
export function packLine(o: Resolved, h: PackedOrder, l: PackedLine, r: Rng, ts: string, boxes: ShippedBox[], scans: TraceScanEvent[]): void {
  if (!l.sku.traced) return;
  const whIdx = WAREHOUSE_IDS.indexOf(h.warehouse_id);
  for (let k = 0; k < l.qty; k++) {
    const uMissing = r(), uDuplicate = r(), uWhere = r();
    const box_id = `BX${h.second}-${h.n}-${l.index}-${k}`;
    if (uMissing < o.v.TRACE_CODE_MISSING) { // packed and shipped, never scanned
      boxes.push({ box_id, sku_id: l.sku.sku_id, batch_no: l.batch_no, trace_codes: [] });
      continue;
    }
    const code = packCode(l.sku.sku_id, h.second, h.n, l.index, k);
    boxes.push({ box_id, sku_id: l.sku.sku_id, batch_no: l.batch_no, trace_codes: [code] });
    const scanId = `${h.idBase}-scan-${l.index}-${k}`;
    scans.push(scanEvent(scanId, ts, code, l.sku.sku_id, l.batch_no, h.warehouse_id, 'out', { order_id: h.order_id, box_id }));
    if (uDuplicate < o.v.TRACE_CODE_DUPLICATE) { // the same code leaves another warehouse: a cloned pack
      const other = WAREHOUSE_IDS[(whIdx + 1 + Math.floor(uWhere * (WAREHOUSE_IDS.length - 1))) % WAREHOUSE_IDS.length];
      scans.push(scanEvent(`${scanId}-dup`, ts, code, l.sku.sku_id, l.batch_no, other, 'out'));
    }
  }
}
