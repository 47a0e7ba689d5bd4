import type { StreamDef } from '../stream.ts';
import { InventoryAdjust, InventoryPick, InventoryReceipt, InventoryReturn, InventoryScrap } from './schema.ts';

export const inventoryStream: StreamDef = {
  name: 'inventory',
  events: [InventoryReceipt, InventoryPick, InventoryReturn, InventoryAdjust, InventoryScrap],
  toStored: () => {},
};
