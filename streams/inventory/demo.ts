// Demo stock per warehouse, SKU and batch. Stock is never tracked as state: the day's first second receives
// every batch into every warehouse in quantities sized from the expected demand (30–60 days of cover), so
// normal picks — which only ever take a received, unexpired batch — can't drive a batch negative. STOCKOUT_RISK
// is injected as a top SKU that opens the day with only ~2 days of cover in every warehouse, in one batch
// (so the shortage shows whether stock is judged per warehouse or summed over all of them).
import { dayNumber, batchesForDate, type DemoBatch } from '../demo/batches.ts';
import type { Resolved } from '../demo/options.ts';
import { SALT, between, hash01, rngFor } from '../demo/random.ts';
import { BASKET_SHARES, WAREHOUSE_SHARE } from '../orders/heads.ts';
import { POOLS, expectedPacksPerOrder } from '../orders/basket.ts';
import { SKUS, WAREHOUSE_IDS, type Sku, type WarehouseId } from '../orders/catalogue.ts';
import { QTY_MAX } from '../common.ts';

type EventHead<T extends string> = { event_id: string; type: T; ts: string };
type Move = { warehouse_id: WarehouseId; sku_id: string; batch_no: string; qty: number; order_id?: string };
export type InventoryEvent = EventHead<'inventory.receipt' | 'inventory.pick' | 'inventory.return' | 'inventory.adjust' | 'inventory.scrap'> & Move;

/** What a warehouse holds of one SKU on a day, and which batch its picks take. */
export interface StockSlot {
  /** FEFO: the first-expiring unexpired batch received (80 % of picks). */
  readonly main: string;
  /** The next batch (the other 20 %: mixed lots on the shelf), or null. */
  readonly alt: string | null;
  /** An expired batch still on hand (only an injected EXPIRED_OUTBOUND picks it). */
  readonly expired: string | null;
  /** Injected STOCKOUT_RISK: ~2 days of cover, main batch only. */
  readonly low: boolean;
  /** Opening quantity per batch. */
  readonly opening: ReadonlyMap<string, number>;
}

export interface StockPlan {
  readonly date: string;
  readonly slots: ReadonlyMap<string, StockSlot>;
  /** The same slots by warehouse, then SKU id (no key strings built per pick). */
  readonly byWarehouse: ReadonlyMap<string, ReadonlyMap<string, StockSlot>>;
  readonly batches: ReadonlyMap<string, readonly DemoBatch[]>;
}

const TOP_SKUS = new Set([...SKUS].sort((a, b) => b.weight - a.weight).slice(0, 20).map((s) => s.sku_id));
const PACKS = expectedPacksPerOrder(BASKET_SHARES);
const DEALS = new Set(POOLS.deal.map((s) => s.sku_id));
const skuNum = (s: Sku): number => Number(s.sku_id.slice(4));
const ceil10 = (x: number): number => Math.max(10, Math.ceil(x / 10) * 10);
export const slotKey = (wh: string, sku: string): string => `${wh}|${sku}`;

/** Expected packs of a SKU picked in a warehouse per day at this rate (spike rings included, all in one warehouse). */
export function expectedDaily(o: Resolved, sku: Sku, wh: WarehouseId): number {
  const spikes = DEALS.has(sku.sku_id) ? o.v.ORDER_SPIKE * 1440 * 60 : 0;
  return o.rate * 86_400 * WAREHOUSE_SHARE[wh] * (PACKS.get(sku.sku_id) ?? 0) + spikes;
}

/** Is this top SKU an injected STOCKOUT_RISK on that day? */
export function isLowStock(o: Resolved, sku: Sku, date: string): boolean {
  return TOP_SKUS.has(sku.sku_id) && hash01(o.seedHash, skuNum(sku), dayNumber(date), SALT.STOCK) < o.v.STOCKOUT_RISK;
}

const cache = new Map<string, StockPlan>();
let last: { o: Resolved; plan: StockPlan } | null = null; // asked once per shipped order: skip the key building

export function stockPlan(o: Resolved, date: string): StockPlan {
  if (last && last.o === o && last.plan.date === date) return last.plan;
  const key = `${o.key}|${date}`;
  const hit = cache.get(key);
  if (hit) {
    last = { o, plan: hit };
    return hit;
  }
  const batches = batchesForDate(o, date);
  const slots = new Map<string, StockSlot>();
  WAREHOUSE_IDS.forEach((wh, whIdx) => {
    for (const sku of SKUS) {
      const e = expectedDaily(o, sku, wh);
      const r = rngFor(o.seedHash, skuNum(sku) * 8 + whIdx, dayNumber(date), SALT.STOCK);
      const usable = (batches.get(sku.sku_id) ?? []).filter((b) => b.kind !== 'expired');
      const expired = (batches.get(sku.sku_id) ?? []).find((b) => b.kind === 'expired') ?? null;
      const low = isLowStock(o, sku, date);
      const opening = new Map<string, number>();
      if (low) opening.set(usable[0].batch_no, ceil10(2 * e + 6 * Math.sqrt(e) + 20));
      else for (const b of usable) opening.set(b.batch_no, ceil10(Math.max(200, e * (30 + 30 * r()))));
      if (expired) opening.set(expired.batch_no, ceil10(2 * e + 6 * Math.sqrt(e) + 30));
      slots.set(slotKey(wh, sku.sku_id), { main: usable[0].batch_no, alt: low ? null : usable[1]?.batch_no ?? null,
        expired: expired?.batch_no ?? null, low, opening });
    }
  });
  const byWarehouse = new Map(WAREHOUSE_IDS.map((wh) => [wh, new Map(SKUS.map((s) => [s.sku_id, slots.get(slotKey(wh, s.sku_id))!]))]));
  const plan: StockPlan = { date, slots, byWarehouse, batches };
  if (cache.size >= 16) cache.delete(cache.keys().next().value as string);
  cache.set(key, plan);
  last = { o, plan };
  return plan;
}

/** The receipts of the day's first second: every batch into every warehouse (the opening stock). A receipt
 *  holds at most QTY_MAX (CONTRACT "Bounds"): a larger opening quantity arrives as several receipts. */
export function openingReceipts(o: Resolved, date: string, ts: string): InventoryEvent[] {
  const out: InventoryEvent[] = [];
  for (const wh of WAREHOUSE_IDS) {
    for (const sku of SKUS) {
      for (const [batch_no, qty] of stockPlan(o, date).slots.get(slotKey(wh, sku.sku_id))!.opening) {
        const id = `demo-${o.tag}-open-${date}-${wh}-${batch_no}`;
        for (let part = 1, rest = qty; rest > 0; part++, rest -= QTY_MAX) {
          out.push({ event_id: part === 1 ? id : `${id}-p${part}`, type: 'inventory.receipt', ts,
            warehouse_id: wh, sku_id: sku.sku_id, batch_no, qty: Math.min(rest, QTY_MAX) });
        }
      }
    }
  }
  return out;
}

// Local times of the day's warehouse routine, in seconds after midnight.
const MORNING_S = 6 * 3600, MORNING_STEP_S = 30, MORNING_PER_WH = 12, MORNING_WH_GAP_S = 600;
const QA_SCRAP_S = 10 * 3600, QA_STEP_S = 20, QA_WH_GAP_S = 300;
const ADJUST_PER_S = 1 / 1800, DAMAGE_PER_S = 1 / 7200; // per warehouse: ~2 count corrections an hour
const MORNING_SKUS = [...SKUS].sort((a, b) => b.weight - a.weight).slice(0, MORNING_PER_WH);

export interface Receipt { event: InventoryEvent; sku: Sku; whIdx: number; j: number }

/**
 * Warehouse moves of one second that follow no order: 06:00 replenishment of the best sellers (one receipt
 * every 30 s per warehouse, into the freshest batch), the 10:00 QA scrap of expired stock, and random
 * count corrections (adjust ±1–3) and breakage (scrap 1–2) on well-stocked batches.
 */
export function routineMoves(o: Resolved, second: number, secOfDay: number, date: string, ts: string): { moves: InventoryEvent[]; receipts: Receipt[] } {
  const moves: InventoryEvent[] = [], receipts: Receipt[] = [];
  const plan = stockPlan(o, date);
  const id = (kind: string, wh: string): string => `demo-${o.tag}-${kind}-${second}-${wh}`;
  const mWh = Math.floor((secOfDay - MORNING_S) / MORNING_WH_GAP_S), mRem = (secOfDay - MORNING_S) % MORNING_WH_GAP_S;
  if (mWh >= 0 && mWh < WAREHOUSE_IDS.length && mRem % MORNING_STEP_S === 0 && mRem / MORNING_STEP_S < MORNING_PER_WH) {
    const wh = WAREHOUSE_IDS[mWh], j = mRem / MORNING_STEP_S, sku = MORNING_SKUS[j];
    const slot = plan.slots.get(slotKey(wh, sku.sku_id))!;
    const usable = plan.batches.get(sku.sku_id)!.filter((b) => b.kind === 'normal');
    if (!slot.low) {
      const event: InventoryEvent = { event_id: id('rcpt', wh), type: 'inventory.receipt', ts, warehouse_id: wh,
        sku_id: sku.sku_id, batch_no: usable[usable.length - 1].batch_no, qty: Math.min(QTY_MAX, ceil10(3 * expectedDaily(o, sku, wh))) };
      moves.push(event);
      receipts.push({ event, sku, whIdx: mWh, j });
    }
  }
  const qWh = Math.floor((secOfDay - QA_SCRAP_S) / QA_WH_GAP_S), qRem = (secOfDay - QA_SCRAP_S) % QA_WH_GAP_S;
  if (qWh >= 0 && qWh < WAREHOUSE_IDS.length && qRem % QA_STEP_S === 0) {
    const wh = WAREHOUSE_IDS[qWh];
    const withExpired = SKUS.filter((s) => plan.slots.get(slotKey(wh, s.sku_id))!.expired !== null);
    const sku = withExpired[qRem / QA_STEP_S];
    if (sku) {
      const slot = plan.slots.get(slotKey(wh, sku.sku_id))!;
      const qty = Math.floor((slot.opening.get(slot.expired!) ?? 0) * 0.2);
      if (qty > 0) moves.push({ event_id: id('qa', wh), type: 'inventory.scrap', ts, warehouse_id: wh, sku_id: sku.sku_id, batch_no: slot.expired!, qty });
    }
  }
  WAREHOUSE_IDS.forEach((wh, whIdx) => {
    const uAdj = hash01(o.seedHash, second, whIdx, SALT.ADJUST), uDmg = hash01(o.seedHash, second, whIdx + 16, SALT.ADJUST);
    if (uAdj >= ADJUST_PER_S && uDmg >= DAMAGE_PER_S) return;
    const r = rngFor(o.seedHash, second, whIdx, SALT.ADJUST);
    const sku = SKUS[Math.floor(r() * SKUS.length)];
    const slot = plan.slots.get(slotKey(wh, sku.sku_id))!;
    if (slot.low) return; // a thin slot is left alone: its story is the stock-out risk
    const move = { warehouse_id: wh, sku_id: sku.sku_id, batch_no: slot.main };
    if (uAdj < ADJUST_PER_S) {
      const qty = between(r, 1, 3) * (r() < 0.5 ? -1 : 1);
      moves.push({ event_id: id('adj', wh), type: 'inventory.adjust', ts, ...move, qty });
    } else {
      moves.push({ event_id: id('dmg', wh), type: 'inventory.scrap', ts, ...move, qty: between(r, 1, 2) });
    }
  });
  return { moves, receipts };
}
