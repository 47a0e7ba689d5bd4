// Edges of the rollups the sales, finance and member metrics read instead of order_events:
// - order_state (AggregatingMergeTree) merges lazily: with its merges stopped, an order's paid, delivered,
//   refunded, cancelled and shipped rows stay apart (even a delivery stored before its payment), and
//   finance.cash_awaiting_settlement must combine them exactly as after a merge;
// - buyer_paid_hour has UTC hour buckets: in a zone whose offset is not a whole number of hours
//   (Asia/Kolkata, UTC+5:30) a business midnight falls inside an hour, and members.buyers must still cut the
//   day and the 30-day window at the millisecond;
// - paid_orders_by_ts read backwards across parts written out of time order (sales.latest_orders).
// Every expected value is worked out by hand in the comments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paid } from '../../helpers/events.ts';
import { fixedClock, getJson, postEvents, removeDir, sql, startServer, type Running } from '../../helpers/server.ts';

const NOW = '2026-11-11T10:00:00.000+05:30';
const clock = fixedClock(NOW);
let s: Running;

async function value<T>(path: string): Promise<T> {
  const r = await getJson(s.url, `/api/v1/metrics/${path}`);
  expect(r.status).toBe(200);
  return r.body.value as T;
}

const ev = (type: string, order_id: string, ts: string, extra: Record<string, unknown> = {}) => ({ event_id: `${type}-${order_id}-${ts}`, type, ts, order_id, ...extra });

/** Each event in its own request and projection, so each lands in its own insert (and part). */
async function postOneByOne(events: unknown[]): Promise<void> {
  for (const e of events) {
    const r = await postEvents(s.url, [e]);
    expect(r.body).toEqual({ accepted: 1, duplicates: 0 });
    await sql(s.app, 'SELECT 1'); // waits for the projection of that request
  }
}

async function command(query: string): Promise<void> {
  await s.app.storage.read.command({ query: query.replaceAll('{db}', s.app.storage.db) });
}

beforeAll(async () => {
  s = await startServer({ clock, env: { TZ_BUSINESS: 'Asia/Kolkata' } });
});
afterAll(async () => {
  await s?.close();
  if (s) removeDir(s.dataDir);
});

describe('finance.cash_awaiting_settlement on unmerged order_state rows', () => {
  // Settlement terms: jd T+7 at 600 bp, meituan T+3 at 800 bp, tmall T+7 at 500 bp, pdd T+10 at 300 bp, own
  // settled on delivery. Times are in Kolkata; "now" is 11-11 10:00.
  const events = [
    // U1 jd: delivered 11-03 10:00, settled 11-10 10:00 (before now): out.
    paid({ order_id: 'U1', ts: '2026-11-01T10:00:00+05:30', paid_fen: 10_000, channel: 'jd' }),
    ev('order.delivered', 'U1', '2026-11-03T10:00:00+05:30'),
    // U2 jd: delivered 11-05 12:00, settles 11-12 12:00; two refunds in their own inserts.
    paid({ order_id: 'U2', ts: '2026-11-05T10:00:00+05:30', paid_fen: 10_000, channel: 'jd' }),
    ev('order.delivered', 'U2', '2026-11-05T12:00:00+05:30'),
    ev('order.refunded', 'U2', '2026-11-06T10:00:00+05:30', { refund_fen: 2_500 }),
    ev('order.refunded', 'U2', '2026-11-07T10:00:00+05:30', { refund_fen: 500 }),
    // U3 meituan: the delivery is stored before the payment (its row has no channel); T+3 from 11-08 11:00
    // settles 11-11 11:00, after now, so it still waits (with the channel lost it would count as settled).
    ev('order.delivered', 'U3', '2026-11-08T11:00:00+05:30'),
    paid({ order_id: 'U3', ts: '2026-11-08T08:00:00+05:30', paid_fen: 1_000, channel: 'meituan' }),
    // U4 tmall: cancelled in a later insert: out.
    paid({ order_id: 'U4', ts: '2026-11-10T09:00:00+05:30', paid_fen: 2_000, channel: 'tmall' }),
    ev('order.cancelled', 'U4', '2026-11-10T09:05:00+05:30'),
    // U5 own: shipped (a row with nothing but shipped_at), never delivered: waits in full.
    paid({ order_id: 'U5', ts: '2026-11-11T08:00:00+05:30', paid_fen: 3_000, channel: 'own' }),
    ev('order.shipped', 'U5', '2026-11-11T09:00:00+05:30', { warehouse_id: 'WH-SH' }),
    // U6: refunded and delivered, never paid: out.
    ev('order.refunded', 'U6', '2026-11-10T10:00:00+05:30', { refund_fen: 700 }),
    ev('order.delivered', 'U6', '2026-11-10T11:00:00+05:30'),
    // U8 pdd: a second payment in a later insert adds nothing.
    paid({ order_id: 'U8', ts: '2026-11-09T10:00:00+05:30', paid_fen: 3_333, channel: 'pdd' }),
    paid({ order_id: 'U8', ts: '2026-11-09T10:05:00+05:30', paid_fen: 9_999, channel: 'pdd' }),
    // U9, U10 tmall: commission rounded per order (50.5 → 51 each, not 101 for the pair).
    paid({ order_id: 'U9', ts: '2026-11-11T09:00:00+05:30', paid_fen: 1_010, channel: 'tmall' }),
    paid({ order_id: 'U10', ts: '2026-11-11T09:01:00+05:30', paid_fen: 1_010, channel: 'tmall' }),
  ];
  // jd U2 10,000 − 3,000 − 600 = 6,400; pdd U8 3,333 − 100 (99.99) = 3,233; own U5 3,000;
  // tmall U9 + U10 2 × (1,010 − 51) = 1,918; meituan U3 1,000 − 80 = 920.
  const expected = [
    { channel: 'jd', orders: 1, amount_fen: 6_400 },
    { channel: 'pdd', orders: 1, amount_fen: 3_233 },
    { channel: 'own', orders: 1, amount_fen: 3_000 },
    { channel: 'tmall', orders: 2, amount_fen: 1_918 },
    { channel: 'meituan', orders: 1, amount_fen: 920 },
  ];

  it('combines the rows of an order before any merge', async () => {
    await command('SYSTEM STOP MERGES {db}.order_state');
    try {
      await postOneByOne(events);
      // The rows really are apart: one per insert that touched the order (U8's second payment makes none).
      const rows = await sql<{ order_id: string; n: string }>(s.app, 'SELECT order_id, count() AS n FROM {db}.order_state GROUP BY order_id ORDER BY order_id');
      expect(Object.fromEntries(rows.map((r) => [r.order_id, Number(r.n)]))).toEqual({ U1: 2, U10: 1, U2: 4, U3: 2, U4: 2, U5: 2, U6: 2, U8: 1, U9: 1 });

      expect(await value('finance.cash_awaiting_settlement')).toEqual(expected);
      clock.set('2026-11-12T12:00:00.000+05:30'); // U2 settles this instant, U3 settled an hour after now
      try {
        expect(await value('finance.cash_awaiting_settlement')).toEqual([
          { channel: 'pdd', orders: 1, amount_fen: 3_233 },
          { channel: 'own', orders: 1, amount_fen: 3_000 },
          { channel: 'tmall', orders: 2, amount_fen: 1_918 },
        ]);
      } finally {
        clock.set(NOW);
      }
    } finally {
      await command('SYSTEM START MERGES {db}.order_state');
    }
  });

  it('gives the same answer once merged', async () => {
    await command('OPTIMIZE TABLE {db}.order_state FINAL');
    const rows = await sql<{ n: string }>(s.app, 'SELECT count() AS n FROM {db}.order_state');
    expect(Number(rows[0].n)).toBe(9);
    expect(await value('finance.cash_awaiting_settlement')).toEqual(expected);
  });
});

describe('members.buyers where midnight is not on a UTC hour (Asia/Kolkata, UTC+5:30)', () => {
  // Two months after the orders above, so none of them is in these days or their 30-day windows.
  const pay = (order_id: string, buyer_id: string, ts: string) => paid({ order_id, buyer_id, ts, paid_fen: 1_000, event_id: `evt-${order_id}` });

  beforeAll(async () => {
    // The server's clock moves to after these days: an event more than 24 h ahead of it is refused (CONTRACT
    // "Bounds"); the metrics below are asked for explicit dates.
    clock.set('2027-01-13T00:00:00.000+05:30');
    // Out of time order and one by one, so paid_orders_by_ts and the buyer rollups hold several parts.
    await postOneByOne([
      pay('KC2', 'K-C', '2027-01-12T00:00:00.000+05:30'), // 01-11T18:30Z: same UTC hour as KC1
      pay('KA2', 'K-A', '2027-01-11T00:00:00.000+05:30'), // 01-10T18:30Z
      pay('KA1', 'K-A', '2027-01-10T23:59:59.999+05:30'), // 01-10T18:29:59.999Z: same UTC hour as KA2
      pay('KB1', 'K-B', '2027-01-10T18:30:00.000Z'), // 01-11 00:00 in Kolkata, written in UTC
      pay('KC1', 'K-C', '2027-01-11T23:59:59.999+05:30'), // 01-11's last millisecond
      pay('KD1', 'K-D', '2026-12-13T00:00:00.000+05:30'), // first instant of 01-11's 30-day window
      pay('KD2', 'K-D', '2027-01-11T12:00:00+05:30'),
      pay('KE1', 'K-E', '2026-12-12T23:59:59.999+05:30'), // last instant before that window, hour of KD1
      pay('KE2', 'K-E', '2027-01-11T13:00:00+05:30'),
    ]);
  });

  it('a day cut at 18:30Z, inside UTC hours', async () => {
    // Buyers 01-11: A B C D E; new: B and C (A paid the day before, D and E in December).
    // Window 12-13…01-11: A2 B1 C1 D2 E1 (KC2 is the next day, KE1 before the window) → 2 of 5.
    expect(await value('members.buyers?date=2027-01-11')).toEqual({ buyers: 5, new_buyers: 2, returning_buyers: 3, repurchase_rate_bp: 4_000 });
  });

  it('the days before and after', async () => {
    // 01-10: A (KA1, first ever). Window 12-12…01-10: A1 D1 E1 → 0 of 3.
    expect(await value('members.buyers?date=2027-01-10')).toEqual({ buyers: 1, new_buyers: 1, returning_buyers: 0, repurchase_rate_bp: 0 });
    // 01-12: C (KC2; first ever KC1 the day before). Window 12-14…01-12: A2 B1 C2 D1 E1 → 2 of 5.
    expect(await value('members.buyers?date=2027-01-12')).toEqual({ buyers: 1, new_buyers: 0, returning_buyers: 1, repurchase_rate_bp: 4_000 });
  });

  it('sales.latest_orders: newest first across parts, times in the business zone', async () => {
    const v = await value<{ order_id: string; ts: string }[]>('sales.latest_orders?limit=4');
    expect(v.map((o) => [o.order_id, o.ts])).toEqual([
      ['KC2', '2027-01-12T00:00:00.000+05:30'],
      ['KC1', '2027-01-11T23:59:59.999+05:30'],
      ['KE2', '2027-01-11T13:00:00.000+05:30'],
      ['KD2', '2027-01-11T12:00:00.000+05:30'],
    ]);
  });
});
