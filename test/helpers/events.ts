// Small builders of CONTRACT-shaped order events for tests.
let n = 0;

export interface LineSpec {
  sku_id?: string;
  qty?: number;
  unit_price_fen?: number;
  discount_fen?: number;
}

export function paid(p: { order_id?: string; ts: string | number; paid_fen: number; event_id?: string; channel?: string; province?: string; lines?: LineSpec[]; [k: string]: unknown }) {
  const id = p.order_id ?? `O-${++n}`;
  const { lines, ...rest } = p;
  return {
    event_id: p.event_id ?? `evt-paid-${id}-${++n}`,
    type: 'order.paid',
    order_id: id,
    channel: 'tmall',
    shop_id: 'tmall-flagship-01',
    buyer_id: 'B-1',
    province: '广东',
    lines: (lines ?? [{}]).map((l) => ({ sku_id: 'SKU-1', qty: 1, unit_price_fen: p.paid_fen, ...l })),
    ...rest,
  };
}

export function created(p: { order_id: string; ts: string | number; event_id?: string; [k: string]: unknown }) {
  return {
    event_id: p.event_id ?? `evt-created-${p.order_id}-${++n}`,
    type: 'order.created',
    channel: 'jd',
    shop_id: 'jd-flagship-01',
    buyer_id: 'B-2',
    province: '北京',
    lines: [{ sku_id: 'SKU-2', qty: 2, unit_price_fen: 1250 }],
    ...p,
  };
}
