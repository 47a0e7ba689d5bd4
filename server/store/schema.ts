// The ClickHouse schema, created idempotently at every start (CREATE … IF NOT EXISTS), so starting again on
// an existing data directory is safe. One raw, append-only event log is the source of truth (可追溯: every
// number is reproducible from it); materialized views fan it out into typed tables and rollups that the
// metric queries read. An ingest is a single INSERT into `events`; the views follow in the same insert.
//
// Times are stored as DateTime64(3, 'UTC') instants; business days are cut by range predicates computed for
// TZ_BUSINESS at query time, so changing TZ_BUSINESS needs no migration.

export function schemaStatements(db: string): string[] {
  return [
    `CREATE DATABASE IF NOT EXISTS ${db}`,

    // Raw log. ORDER BY event_id serves the idempotency check (a primary-key lookup); small granules keep
    // a lookup of scattered ids cheap. `body` is the event as JSON with personal data already masked.
    `CREATE TABLE IF NOT EXISTS ${db}.events (
      event_id String,
      type LowCardinality(String),
      stream LowCardinality(String),
      ts DateTime64(3, 'UTC'),
      received_at DateTime64(3, 'UTC'),
      first_paid UInt8 COMMENT '1 on the first order.paid received for its order_id; only that one counts',
      body String
    ) ENGINE = MergeTree ORDER BY event_id SETTINGS index_granularity = 1024`,

    // Every order.* event, typed. ORDER BY order_id: lookups of an order's history (first paid, refunds).
    `CREATE TABLE IF NOT EXISTS ${db}.order_events (
      order_id String,
      type LowCardinality(String),
      ts DateTime64(3, 'UTC'),
      event_id String,
      first_paid UInt8,
      channel LowCardinality(String),
      shop_id String,
      buyer_id String,
      buyer_name_masked String,
      buyer_phone_masked String,
      province LowCardinality(String),
      city String,
      campaign String,
      paid_fen Int64,
      refund_fen Int64,
      warehouse_id String
    ) ENGINE = MergeTree ORDER BY (order_id, type, ts)`,
    // One JSON parse per row into a named tuple (5× cheaper than one JSONExtract call per field).
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.order_events_mv TO ${db}.order_events AS
      SELECT
        j.order_id AS order_id, type, ts, event_id, first_paid, j.channel AS channel, j.shop_id AS shop_id,
        j.buyer_id AS buyer_id, j.buyer_name AS buyer_name_masked, j.buyer_phone AS buyer_phone_masked,
        j.province AS province, j.city AS city, j.campaign AS campaign, j.paid_fen AS paid_fen,
        j.refund_fen AS refund_fen, j.warehouse_id AS warehouse_id
      FROM (
        SELECT type, ts, event_id, first_paid,
          JSONExtract(body, 'Tuple(order_id String, channel String, shop_id String, buyer_id String, buyer_name String,
            buyer_phone String, province String, city String, campaign String, paid_fen Int64, refund_fen Int64,
            warehouse_id String)') AS j
        FROM ${db}.events WHERE stream = 'orders'
      )`,

    // Order lines of order.created and order.paid, one row per line.
    `CREATE TABLE IF NOT EXISTS ${db}.order_lines (
      order_id String,
      type LowCardinality(String),
      ts DateTime64(3, 'UTC'),
      event_id String,
      first_paid UInt8,
      line_no UInt16,
      sku_id String,
      qty UInt32,
      unit_price_fen Int64,
      discount_fen Int64,
      batch_no String
    ) ENGINE = MergeTree ORDER BY (order_id, type, line_no)`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.order_lines_mv TO ${db}.order_lines AS
      SELECT
        order_id, type, ts, event_id, first_paid, toUInt16(line_no) AS line_no,
        line.sku_id AS sku_id, line.qty AS qty, line.unit_price_fen AS unit_price_fen,
        line.discount_fen AS discount_fen, line.batch_no AS batch_no
      FROM (
        SELECT type, ts, event_id, first_paid,
          JSONExtract(body, 'Tuple(order_id String, lines Array(Tuple(sku_id String, qty UInt32, unit_price_fen Int64,
            discount_fen Int64, batch_no String)))') AS j,
          j.order_id AS order_id
        FROM ${db}.events WHERE type IN ('order.created', 'order.paid')
      )
      ARRAY JOIN j.lines AS line, arrayEnumerate(j.lines) AS line_no`,

    // Per-minute sales rollup of first payments: GMV, paid orders and orders per minute read only this.
    // Each order contributes once (first_paid = 1), so sums of `orders` are distinct paid orders.
    `CREATE TABLE IF NOT EXISTS ${db}.sales_minute (
      minute DateTime('UTC'),
      channel LowCardinality(String),
      province LowCardinality(String),
      orders UInt64,
      gmv_fen Int64
    ) ENGINE = SummingMergeTree ORDER BY (minute, channel, province)`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.sales_minute_mv TO ${db}.sales_minute AS
      SELECT
        toStartOfMinute(ts) AS minute,
        j.channel AS channel,
        j.province AS province,
        count() AS orders,
        sum(j.paid_fen) AS gmv_fen
      FROM (
        SELECT ts, JSONExtract(body, 'Tuple(channel String, province String, paid_fen Int64)') AS j
        FROM ${db}.events WHERE type = 'order.paid' AND first_paid = 1
      )
      GROUP BY minute, channel, province`,
  ];
}
