// The inventory.* events: stock moves per warehouse, SKU and batch (批号).
import { Type } from 'typebox';
import { Id, Qty, SignedQty, eventSchema } from '../common.ts';

const move = (qty = Qty) => ({ warehouse_id: Id, sku_id: Id, batch_no: Id, qty, order_id: Type.Optional(Id) });

export const InventoryReceipt = eventSchema('inventory.receipt', move());
export const InventoryPick = eventSchema('inventory.pick', move());
export const InventoryReturn = eventSchema('inventory.return', move());
export const InventoryScrap = eventSchema('inventory.scrap', move());
/** A stock count correction: may be negative, never zero. */
export const InventoryAdjust = eventSchema('inventory.adjust', move(SignedQty));

/** Sign of each move on the stock on hand (CONTRACT inventory.stock). */
export const STOCK_SIGN: Readonly<Record<string, 1 | -1>> = {
  'inventory.receipt': 1,
  'inventory.return': 1,
  'inventory.adjust': 1,
  'inventory.pick': -1,
  'inventory.scrap': -1,
};
