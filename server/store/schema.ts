// The ClickHouse schema, created idempotently at every start (CREATE … IF NOT EXISTS), so starting again on
// an existing data directory is safe. One raw, append-only event log is the source of truth (可追溯: every
// number is reproducible from it). An ingest is a single INSERT into `events` (nothing else on that hot
// path); the projector (server/ingest/projector.ts) then fans each commit group out into the typed tables
// below, and materialized views on those keep the rollups that metric queries read. Typed tables and
// rollups deduplicate a re-projected block by its insert_deduplication_token, so a projection interrupted by
// a crash is replayed without counting twice.
//
// Times are stored as DateTime64(3, 'UTC') instants; business days are cut by range predicates computed for
// TZ_BUSINESS at query time, so changing TZ_BUSINESS needs no migration.

import { referenceStatements } from './reference-schema.ts';

/** A table of JSON documents by id (screens, playlists): the newest version of each id wins. */
function documentTable(db: string, name: string): string {
  return `CREATE TABLE IF NOT EXISTS ${db}.${name} (
      id String,
      body String,
      deleted UInt8,
      version UInt64
    ) ENGINE = ReplacingMergeTree(version) ORDER BY id`;
}

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
      id_fp UInt32 COMMENT 'fingerprint of event_id, loaded at start into the in-memory duplicate filter',
      group_id UInt64 COMMENT 'the commit group (one INSERT) the event came in; the projector works by group',
      body String,
      INDEX group_idx group_id TYPE minmax GRANULARITY 1
    ) ENGINE = MergeTree ORDER BY event_id SETTINGS index_granularity = 1024`,

    // The projector's write-ahead record: groups up to done_to are in the typed tables; pending_from..to is
    // being projected (replayed with the same tokens after a crash).
    `CREATE TABLE IF NOT EXISTS ${db}.projection_state (
      id UInt8,
      done_to UInt64,
      pending_from UInt64,
      pending_to UInt64,
      version UInt64
    ) ENGINE = ReplacingMergeTree(version) ORDER BY id`,

    // Rows the projector could not write (storage refused them, or the event could not be projected): kept
    // here with the reason, and the projection moves on (server/ingest/projector.ts). Written with a token
    // per projection range, so a cycle replayed after a crash adds no second copy. `table` is the typed
    // table that refused the row ('' when the event could not be read or projected at all).
    `CREATE TABLE IF NOT EXISTS ${db}.dead_letters (
      event_id String,
      type LowCardinality(String),
      group_id UInt64,
      \`table\` LowCardinality(String),
      reason String,
      body String COMMENT 'the event body as stored in the log (JSON text)',
      at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'when it was dead-lettered'
    ) ENGINE = MergeTree ORDER BY (group_id, event_id) SETTINGS non_replicated_deduplication_window = 1000`,

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
    ) ENGINE = MergeTree ORDER BY (order_id, type, ts) SETTINGS non_replicated_deduplication_window = 1000`,

    // Order lines of order.paid (retries included, first_paid tells), one row per line. order.created lines stay in the log.
    `CREATE TABLE IF NOT EXISTS ${db}.order_lines (
      order_id String,
      type LowCardinality(String),
      ts DateTime64(3, 'UTC'),
      event_id String,
      first_paid UInt8,
      channel LowCardinality(String),
      province LowCardinality(String),
      campaign String,
      line_no UInt16,
      sku_id String,
      qty UInt32,
      unit_price_fen Int64,
      discount_fen Int64,
      batch_no String
    ) ENGINE = MergeTree ORDER BY (order_id, type, line_no) SETTINGS non_replicated_deduplication_window = 1000`,

    // Per-minute sales rollup of first payments: GMV, paid orders and orders per minute read only this.
    // Each order contributes once (first_paid = 1), so sums of `orders` are distinct paid orders.
    `CREATE TABLE IF NOT EXISTS ${db}.sales_minute (
      minute DateTime('UTC'),
      channel LowCardinality(String),
      province LowCardinality(String),
      orders UInt64,
      gmv_fen Int64
    ) ENGINE = SummingMergeTree ORDER BY (minute, channel, province) SETTINGS non_replicated_deduplication_window = 1000`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.sales_minute_mv TO ${db}.sales_minute AS
      SELECT toStartOfMinute(ts) AS minute, channel, province, count() AS orders, sum(paid_fen) AS gmv_fen
      FROM ${db}.order_events WHERE type = 'order.paid' AND first_paid = 1
      GROUP BY minute, channel, province`,

    // Lines of first payments per hour, SKU, channel and campaign: top SKUs, category split, COGS, margin.
    // Line value = qty × unit_price_fen − discount_fen (before any order-level coupon).
    `CREATE TABLE IF NOT EXISTS ${db}.sales_line_hour (
      hour DateTime('UTC'),
      sku_id String,
      channel LowCardinality(String),
      campaign String,
      qty UInt64,
      gmv_fen Int64,
      lines UInt64
    ) ENGINE = SummingMergeTree ORDER BY (hour, sku_id, channel, campaign) SETTINGS non_replicated_deduplication_window = 1000`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.sales_line_hour_mv TO ${db}.sales_line_hour AS
      SELECT toStartOfHour(ts) AS hour, sku_id, channel, campaign, sum(q) AS qty, sum(line_fen) AS gmv_fen, count() AS lines
      FROM (
        SELECT ts, sku_id, channel, campaign, qty AS q, toInt64(qty) * unit_price_fen - discount_fen AS line_fen
        FROM ${db}.order_lines WHERE type = 'order.paid' AND first_paid = 1
      )
      GROUP BY hour, sku_id, channel, campaign`,

    // Refunds per minute by their own ts; distinct refunded orders as an exact uniq state.
    `CREATE TABLE IF NOT EXISTS ${db}.refunds_minute (
      minute DateTime('UTC'),
      refund_fen SimpleAggregateFunction(sum, Int64),
      refunds SimpleAggregateFunction(sum, UInt64),
      orders AggregateFunction(uniqExact, String)
    ) ENGINE = AggregatingMergeTree ORDER BY minute SETTINGS non_replicated_deduplication_window = 1000`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.refunds_minute_mv TO ${db}.refunds_minute AS
      SELECT toStartOfMinute(ts) AS minute, sum(refund_fen) AS refund_fen, toUInt64(count()) AS refunds,
        uniqExactState(order_id) AS orders
      FROM ${db}.order_events WHERE type = 'order.refunded' GROUP BY minute`,

    // Boxes of order.shipped (with the trace codes printed on them): trace-scan coverage.
    `CREATE TABLE IF NOT EXISTS ${db}.shipped_boxes (
      order_id String,
      ts DateTime64(3, 'UTC'),
      event_id String,
      warehouse_id String,
      box_id String,
      sku_id String,
      batch_no String,
      trace_codes Array(String)
    ) ENGINE = MergeTree ORDER BY (order_id, box_id) SETTINGS non_replicated_deduplication_window = 1000`,

    // Prescriptions: every rx.* event, typed.
    `CREATE TABLE IF NOT EXISTS ${db}.rx_events (
      rx_id String,
      type LowCardinality(String),
      ts DateTime64(3, 'UTC'),
      event_id String,
      order_id String,
      source LowCardinality(String),
      pharmacist_id String,
      reason String
    ) ENGINE = MergeTree ORDER BY (rx_id, type, ts) SETTINGS non_replicated_deduplication_window = 1000`,

    // Inventory moves, typed; `delta` is the signed effect on stock on hand.
    `CREATE TABLE IF NOT EXISTS ${db}.inventory_moves (
      warehouse_id String,
      sku_id String,
      batch_no String,
      type LowCardinality(String),
      ts DateTime64(3, 'UTC'),
      event_id String,
      qty Int64,
      delta Int64,
      order_id String
    ) ENGINE = MergeTree ORDER BY (warehouse_id, sku_id, batch_no, ts) SETTINGS non_replicated_deduplication_window = 1000`,
    // Stock on hand per batch = receipt + return + adjust − pick − scrap.
    `CREATE TABLE IF NOT EXISTS ${db}.stock_batch (
      warehouse_id String,
      sku_id String,
      batch_no String,
      qty Int64
    ) ENGINE = SummingMergeTree ORDER BY (warehouse_id, sku_id, batch_no) SETTINGS non_replicated_deduplication_window = 1000`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.stock_batch_mv TO ${db}.stock_batch AS
      SELECT warehouse_id, sku_id, batch_no, sum(delta) AS qty FROM ${db}.inventory_moves
      GROUP BY warehouse_id, sku_id, batch_no`,
    // Moves per hour, warehouse and type: picks per hour.
    `CREATE TABLE IF NOT EXISTS ${db}.inventory_hour (
      hour DateTime('UTC'),
      warehouse_id String,
      type LowCardinality(String),
      qty Int64,
      moves UInt64
    ) ENGINE = SummingMergeTree ORDER BY (hour, warehouse_id, type) SETTINGS non_replicated_deduplication_window = 1000`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.inventory_hour_mv TO ${db}.inventory_hour AS
      SELECT toStartOfHour(ts) AS hour, warehouse_id, type, sum(qty) AS qty, count() AS moves
      FROM ${db}.inventory_moves GROUP BY hour, warehouse_id, type`,

    // Traceability scans, typed. ORDER BY code: "seen before?" is a primary-key lookup.
    `CREATE TABLE IF NOT EXISTS ${db}.trace_scans (
      code String,
      ts DateTime64(3, 'UTC'),
      event_id String,
      sku_id String,
      batch_no String,
      warehouse_id String,
      direction LowCardinality(String),
      order_id String,
      box_id String
    ) ENGINE = MergeTree ORDER BY (code, ts) SETTINGS non_replicated_deduplication_window = 1000`,

    // Sensor readings, typed.
    `CREATE TABLE IF NOT EXISTS ${db}.sensor_readings (
      sensor_id String,
      ts DateTime64(3, 'UTC'),
      event_id String,
      temp_c Float64,
      humidity_pct Nullable(Float64)
    ) ENGINE = MergeTree ORDER BY (sensor_id, ts) SETTINGS non_replicated_deduplication_window = 1000`,

    // Live-stream room stats, typed (gmv_fen is cumulative for the room's day).
    `CREATE TABLE IF NOT EXISTS ${db}.live_stats (
      room_id String,
      ts DateTime64(3, 'UTC'),
      event_id String,
      channel LowCardinality(String),
      viewers UInt64,
      gmv_fen Int64
    ) ENGINE = MergeTree ORDER BY (room_id, ts) SETTINGS non_replicated_deduplication_window = 1000`,
    // Latest stats per room and minute (argMax by ts, then event_id): live.rooms merges a day's minutes
    // (rooms × 1,440 rows) instead of every 5-second stat.
    `CREATE TABLE IF NOT EXISTS ${db}.live_room_minute (
      minute DateTime('UTC'),
      room_id String,
      last AggregateFunction(argMax, Tuple(String, UInt64, Int64, DateTime64(3, 'UTC')), Tuple(DateTime64(3, 'UTC'), String))
    ) ENGINE = AggregatingMergeTree ORDER BY (minute, room_id) SETTINGS non_replicated_deduplication_window = 1000`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.live_room_minute_mv TO ${db}.live_room_minute AS
      SELECT toStartOfMinute(ts) AS minute, room_id, argMaxState((channel, viewers, gmv_fen, ts), (ts, event_id)) AS last
      FROM ${db}.live_stats GROUP BY minute, room_id`,

    // First payments in time order: latest orders, backlog (paid within a window) by a key range.
    `CREATE TABLE IF NOT EXISTS ${db}.paid_orders_by_ts (
      ts DateTime64(3, 'UTC'),
      order_id String,
      channel LowCardinality(String),
      province LowCardinality(String),
      city String,
      buyer_id String,
      buyer_name_masked String,
      paid_fen Int64
    ) ENGINE = MergeTree ORDER BY (ts, order_id) SETTINGS non_replicated_deduplication_window = 1000`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.paid_orders_by_ts_mv TO ${db}.paid_orders_by_ts AS
      SELECT ts, order_id, channel, province, city, buyer_id, buyer_name_masked, paid_fen
      FROM ${db}.order_events WHERE type = 'order.paid' AND first_paid = 1`,

    // One row per order (after merges; read with GROUP BY order_id): where each order is in its life.
    `CREATE TABLE IF NOT EXISTS ${db}.order_state (
      order_id String,
      channel SimpleAggregateFunction(max, LowCardinality(String)),
      paid_at SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
      paid_fen SimpleAggregateFunction(sum, Int64),
      refund_fen SimpleAggregateFunction(sum, Int64),
      cancelled SimpleAggregateFunction(max, UInt8),
      shipped_at SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
      delivered_at SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC')))
    ) ENGINE = AggregatingMergeTree ORDER BY order_id SETTINGS non_replicated_deduplication_window = 1000`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.order_state_mv TO ${db}.order_state AS
      SELECT order_id,
        maxIf(channel, type = 'order.paid') AS channel,
        minIf(toNullable(ts), type = 'order.paid') AS paid_at,
        sumIf(paid_fen, type = 'order.paid') AS paid_fen,
        sumIf(refund_fen, type = 'order.refunded') AS refund_fen,
        toUInt8(countIf(type = 'order.cancelled') > 0) AS cancelled,
        minIf(toNullable(ts), type = 'order.shipped') AS shipped_at,
        minIf(toNullable(ts), type = 'order.delivered') AS delivered_at
      FROM ${db}.order_events
      WHERE (type = 'order.paid' AND first_paid = 1) OR type IN ('order.refunded', 'order.cancelled', 'order.shipped', 'order.delivered')
      GROUP BY order_id`,

    // Buyers: first-ever payment per buyer, and first payments per UTC hour per buyer.
    `CREATE TABLE IF NOT EXISTS ${db}.buyer_first_paid (
      buyer_id String,
      first_ts SimpleAggregateFunction(min, DateTime64(3, 'UTC'))
    ) ENGINE = AggregatingMergeTree ORDER BY buyer_id SETTINGS non_replicated_deduplication_window = 1000`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.buyer_first_paid_mv TO ${db}.buyer_first_paid AS
      SELECT buyer_id, min(ts) AS first_ts FROM ${db}.order_events
      WHERE type = 'order.paid' AND first_paid = 1 GROUP BY buyer_id`,
    `CREATE TABLE IF NOT EXISTS ${db}.buyer_paid_hour (
      hour DateTime('UTC'),
      buyer_id String,
      orders UInt64
    ) ENGINE = SummingMergeTree ORDER BY (hour, buyer_id) SETTINGS non_replicated_deduplication_window = 1000`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.buyer_paid_hour_mv TO ${db}.buyer_paid_hour AS
      SELECT toStartOfHour(ts) AS hour, buyer_id, count() AS orders FROM ${db}.order_events
      WHERE type = 'order.paid' AND first_paid = 1 GROUP BY hour, buyer_id`,

    // Prescription events by type and time: funnel, review time and pending queue by a key range.
    `CREATE TABLE IF NOT EXISTS ${db}.rx_by_time (
      type LowCardinality(String),
      ts DateTime64(3, 'UTC'),
      rx_id String
    ) ENGINE = MergeTree ORDER BY (type, ts, rx_id) SETTINGS non_replicated_deduplication_window = 1000`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.rx_by_time_mv TO ${db}.rx_by_time AS
      SELECT type, ts, rx_id FROM ${db}.rx_events`,

    // Outbound trace scans by order and box: trace-scan coverage.
    `CREATE TABLE IF NOT EXISTS ${db}.trace_out_scans (
      order_id String,
      box_id String,
      sku_id String,
      ts DateTime64(3, 'UTC'),
      code String
    ) ENGINE = MergeTree ORDER BY (order_id, box_id, sku_id) SETTINGS non_replicated_deduplication_window = 1000`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.trace_out_scans_mv TO ${db}.trace_out_scans AS
      SELECT order_id, box_id, sku_id, ts, code FROM ${db}.trace_scans WHERE direction = 'out'`,

    // Screens added or replaced through the admin API (files stay the source of the built-in ones).
    documentTable(db, 'screens'),

    // Paired walls (server/displays/store.ts): the newest version per display wins; a display token is kept
    // only as its SHA-256.
    `CREATE TABLE IF NOT EXISTS ${db}.displays (
      display_id String,
      name String,
      screen_id String,
      playlist_id String,
      token_hash String,
      created_at DateTime64(3, 'UTC'),
      revoked UInt8,
      version UInt64
    ) ENGINE = ReplacingMergeTree(version) ORDER BY display_id`,

    // Playlists of walls (server/displays/store.ts).
    documentTable(db, 'playlists'),

    // Alerts (the rules engine writes them): latest version of each alert; alerts.open reads it.
    `CREATE TABLE IF NOT EXISTS ${db}.alerts (
      alert_id String,
      rule LowCardinality(String),
      severity LowCardinality(String),
      entity String,
      first_seen DateTime64(3, 'UTC'),
      last_seen DateTime64(3, 'UTC'),
      state LowCardinality(String) COMMENT 'open | acknowledged | resolved',
      evidence Array(String),
      version UInt64
    ) ENGINE = ReplacingMergeTree(version) ORDER BY alert_id`,
    `ALTER TABLE ${db}.alerts ADD COLUMN IF NOT EXISTS evidence_count UInt32 COMMENT 'all evidence ids; evidence keeps the first 1,000'`,
    `ALTER TABLE ${db}.alerts ADD COLUMN IF NOT EXISTS detail String COMMENT 'JSON facts a wall may show (no personal or prescription data)'`,
    // Every change of an alert's state or severity, who made it, when and why: appended, never rewritten.
    `CREATE TABLE IF NOT EXISTS ${db}.alert_audit (
      alert_id String,
      seq UInt64 COMMENT 'strictly increasing across restarts: the order of the trail',
      at DateTime64(3, 'UTC'),
      action LowCardinality(String) COMMENT 'opened | escalated | acknowledged | resolved',
      by String,
      note String,
      state LowCardinality(String),
      severity LowCardinality(String)
    ) ENGINE = MergeTree ORDER BY (alert_id, seq)`,
    // The rules engine's checkpoint: its state after every commit group up to through_group (replayed from
    // the events log after a restart), written after the alerts it raised up to there.
    `CREATE TABLE IF NOT EXISTS ${db}.rule_state (
      id UInt8,
      through_group UInt64,
      body String,
      version UInt64
    ) ENGINE = ReplacingMergeTree(version) ORDER BY id`,

    ...referenceStatements(db),
  ];
}
