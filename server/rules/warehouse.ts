// Rules on the warehouse streams: EXPIRED_OUTBOUND, TRACE_CODE_MISSING, TRACE_CODE_DUPLICATE,
// COLD_CHAIN_EXCURSION.
import { Type } from 'typebox';
import { RULE_LABELS } from '../../widgets/labels.ts';
import { toInt } from '../plugins/clickhouse.ts';
import { rows } from '../metrics/query.ts';
import { businessDate } from '../time.ts';
import { pruneOldest, streamRule } from './rule.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Stock leaving a warehouse: a pick, or one batch of a shipped box (the order's shipment). */
interface Outbound {
  ms: number;
  id: string;
  batch: string;
  sku: string;
  qty: number | null;
  order: string | null;
  box: string | null;
}

/**
 * A pick, or a shipped box, of a batch whose expiry date is before that event's business day (DOMAIN: "a
 * batch past expiry is picked or shipped"). Entity: the batch; evidence: every pick and shipment of it. An
 * event of a batch not yet in the reference data is kept a day and checked again when batches arrive.
 * History: none (the batch's expiry is reference data; each event is judged on its own).
 */
export const expiredOutbound = streamRule({
  id: 'EXPIRED_OUTBOUND',
  kind: 'stream',
  severity: 'critical',
  title: RULE_LABELS.EXPIRED_OUTBOUND,
  params: Type.Object({}, { additionalProperties: false }),
  types: ['inventory.pick', 'order.shipped'],
  init: () => ({ unknown: new Map<string, Outbound>() }),
  onEvent(s, e, ctx) {
    const outs: Outbound[] =
      e.type === 'inventory.pick'
        ? [{ ms: e.tsMs, id: e.event_id, batch: str(e.body.batch_no), sku: str(e.body.sku_id), qty: Number(e.body.qty) || 0, order: str(e.body.order_id) || null, box: null }]
        : boxesOf(e.body.boxes)
            .filter((b) => str(b.batch_no))
            .map((b) => ({ ms: e.tsMs, id: e.event_id, batch: str(b.batch_no), sku: str(b.sku_id), qty: null, order: str(e.body.order_id) || null, box: str(b.box_id) || null }));
    for (const out of outs) {
      const expiry = ctx.ref.batchExpiry.get(out.batch);
      if (expiry === undefined) s.unknown.set(`${out.id}|${out.box ?? ''}|${out.batch}`, out);
      else check(out, expiry, ctx);
    }
  },
  tick(s, ctx) {
    pruneOldest(s.unknown, (p) => p.ms < ctx.now - 24 * HOUR);
  },
  onReference(s, kind, ctx) {
    if (kind !== 'batches') return;
    for (const [key, out] of s.unknown) {
      const expiry = ctx.ref.batchExpiry.get(out.batch);
      if (expiry === undefined) continue;
      s.unknown.delete(key);
      check(out, expiry, ctx);
    }
  },
});

function boxesOf(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter((b): b is Record<string, unknown> => typeof b === 'object' && b !== null) : [];
}

function check(out: Outbound, expiry: string, ctx: { tz: string; fire: (h: import('./rule.ts').Hit) => void }): void {
  if (expiry < businessDate(out.ms, ctx.tz)) {
    const detail: Record<string, string | number | null> = { sku_id: out.sku, expiry_date: expiry, stage: out.box === null ? 'picked' : 'shipped', order_id: out.order };
    if (out.qty !== null) detail.qty = out.qty;
    if (out.box !== null) detail.box_id = out.box;
    ctx.fire({ entity: `batch:${out.batch}`, evidence: [out.id], atMs: out.ms, detail });
  }
}

interface Box {
  order: string;
  shipId: string;
  due: number;
  sku: string;
}

/**
 * A box of a traced SKU (or one that lists trace codes) shipped without an outbound scan of that box within
 * `graceSeconds` of the shipment. Entity: the order. A box of an unknown SKU without codes is not judged.
 * History: the outbound scans of the last hour, in memory (a box is scanned when packed, minutes before it
 * ships); a scan counts by its own time (at or before the shipment's deadline), not by when it arrived.
 */
export const traceCodeMissing = streamRule({
  id: 'TRACE_CODE_MISSING',
  kind: 'stream',
  severity: 'major',
  title: RULE_LABELS.TRACE_CODE_MISSING,
  params: Type.Object({ graceSeconds: Type.Integer({ minimum: 0, maximum: 86_400, default: 120, description: 'seconds a scan may follow the shipment' }) }, { additionalProperties: false }),
  types: ['trace.scan', 'order.shipped'],
  init: () => ({ scanned: new Map<string, number>(), pending: new Map<string, Box>() }),
  onEvent(s, e, ctx, p) {
    if (e.type === 'trace.scan') {
      const box = str(e.body.box_id);
      if (e.body.direction !== 'out' || !box) return;
      s.scanned.set(box, e.tsMs);
      const waiting = s.pending.get(box);
      if (waiting && e.tsMs <= waiting.due) s.pending.delete(box);
      return;
    }
    const boxes = Array.isArray(e.body.boxes) ? (e.body.boxes as { box_id: string; sku_id: string; trace_codes?: string[] }[]) : [];
    for (const b of boxes) {
      const traced = ctx.ref.skus.get(b.sku_id)?.traced === true || (b.trace_codes?.length ?? 0) > 0;
      const scannedAt = s.scanned.get(b.box_id);
      if (!traced || (scannedAt !== undefined && scannedAt <= e.tsMs + p.graceSeconds * 1000)) continue;
      s.pending.set(b.box_id, { order: str(e.body.order_id), shipId: e.event_id, due: e.tsMs + p.graceSeconds * 1000, sku: b.sku_id });
    }
  },
  tick(s, ctx) {
    for (const [boxId, b] of s.pending) {
      if (b.due > ctx.now) continue;
      s.pending.delete(boxId);
      ctx.fire({ entity: `order:${b.order}`, evidence: [b.shipId], atMs: b.due, detail: { box_id: boxId, sku_id: b.sku } });
    }
    pruneOldest(s.scanned, (ms) => ms < ctx.now - HOUR);
  },
});

/**
 * One traceability code scanned out twice (counterfeit or diversion signal), however far apart. Entity: the
 * code; evidence: every outbound scan of it. History: every outbound code of a step is looked up in
 * `trace_scans` (keyed by code), after waiting until the projection has passed the groups judged: the table
 * then holds every earlier scan, whichever listener ran first. Not the `events` log: finding a code there
 * means parsing every scan's body. A failed lookup leaves the step's codes pending; the engine retries it.
 * `memoryMinutes`: codes of that window also found in memory (a scan repeated within a step).
 */
export const traceCodeDuplicate = streamRule({
  id: 'TRACE_CODE_DUPLICATE',
  kind: 'stream',
  severity: 'critical',
  title: RULE_LABELS.TRACE_CODE_DUPLICATE,
  params: Type.Object({ memoryMinutes: Type.Integer({ minimum: 1, maximum: 1440, default: 30, description: 'minutes of outbound codes held in memory' }) }, { additionalProperties: false }),
  types: ['trace.scan'],
  init: () => ({ recent: new Map<string, [number, string]>(), lookup: new Map<string, [number, string][]>() }),
  onEvent(s, e) {
    if (e.body.direction !== 'out') return;
    const code = str(e.body.code);
    const list = s.lookup.get(code) ?? [];
    const first = s.recent.get(code);
    if (!first) s.recent.set(code, [e.tsMs, e.event_id]);
    else if (list.length === 0) list.push(first);
    list.push([e.tsMs, e.event_id]);
    s.lookup.set(code, list);
  },
  async settle(s, ctx, _p, history) {
    if (s.lookup.size === 0) return;
    const { storage } = history;
    await history.projected();
    const codes = [...s.lookup.keys()];
    const stored = new Map<string, [number, string][]>();
    for (let i = 0; i < codes.length; i += 2_000) {
      const found = await rows<{ code: string; ms: string; event_id: string }>(
        { storage },
        `SELECT code, toUnixTimestamp64Milli(ts) AS ms, event_id FROM ${storage.db}.trace_scans
         WHERE code IN {codes:Array(String)} AND direction = 'out'`,
        { codes: codes.slice(i, i + 2_000) },
      );
      for (const r of found) stored.set(r.code, [...(stored.get(r.code) ?? []), [toInt(r.ms), r.event_id]]);
    }
    // Every lookup worked: only now is the step's work taken (a throw above leaves it for the retry).
    const step = s.lookup;
    s.lookup = new Map();
    for (const [code, scans] of step) {
      const all = new Map<string, number>();
      for (const [ms, id] of [...scans, ...(stored.get(code) ?? [])]) all.set(id, ms);
      if (all.size < 2) continue;
      const sorted = [...all].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
      ctx.fire({ entity: `trace:${code}`, evidence: sorted.map(([id]) => id), atMs: sorted[sorted.length - 1][1], detail: { scans: all.size } });
    }
  },
  tick(s, ctx, p) {
    pruneOldest(s.recent, ([ms]) => ms < ctx.now - p.memoryMinutes * MIN);
  },
});

interface Run {
  startMs: number;
  lastMs: number;
  ids: string[];
  temp: number;
  fired: boolean;
}

/**
 * A cold-chain sensor (storage class `cold`) reading outside [minC, maxC] for longer than `minutes`: fires
 * on the reading that passes the limit, or on the timer when no reading comes back in band. A sensor not
 * yet in the reference data is not judged. History: the sensor's current run, in memory (readings come in
 * event-time order, see engine.ts). The walls draw the same [minC, maxC] (sensors.cold_chain reads it).
 */
export const coldChainExcursion = streamRule({
  id: 'COLD_CHAIN_EXCURSION',
  kind: 'stream',
  severity: 'critical',
  title: RULE_LABELS.COLD_CHAIN_EXCURSION,
  params: Type.Object(
    {
      minC: Type.Number({ default: 2, minimum: -50, maximum: 50, description: 'lowest allowed °C' }),
      maxC: Type.Number({ default: 8, minimum: -50, maximum: 50, description: 'highest allowed °C' }),
      minutes: Type.Integer({ minimum: 1, maximum: 1440, default: 15, description: 'minutes out of band before it fires' }),
    },
    { additionalProperties: false },
  ),
  types: ['sensor.reading'],
  init: () => ({ runs: new Map<string, Run>() }),
  onEvent(s, e, ctx, p) {
    const sensor = str(e.body.sensor_id);
    if (ctx.ref.sensorClass.get(sensor) !== 'cold') return;
    const temp = Number(e.body.temp_c);
    if (temp >= p.minC && temp <= p.maxC) {
      // Back in band: a run that had passed its limit before this reading fired at its deadline (the timer
      // would have, had the reading come later): judged by event time, not by when the reading arrived.
      const ended = s.runs.get(sensor);
      if (ended && !ended.fired && e.tsMs - ended.startMs > p.minutes * MIN) fire(sensor, ended, ended.startMs + p.minutes * MIN, ctx);
      s.runs.delete(sensor);
      return;
    }
    let run = s.runs.get(sensor);
    if (!run) s.runs.set(sensor, (run = { startMs: e.tsMs, lastMs: e.tsMs, ids: [], temp, fired: false }));
    run.lastMs = e.tsMs;
    run.temp = temp;
    if (run.ids.length < 500) run.ids.push(e.event_id);
    if (run.fired || e.tsMs - run.startMs >= p.minutes * MIN) fire(sensor, run, e.tsMs, ctx);
  },
  tick(s, ctx, p) {
    for (const [sensor, run] of s.runs) if (!run.fired && ctx.now - run.startMs >= p.minutes * MIN) fire(sensor, run, run.startMs + p.minutes * MIN, ctx);
  },
});

function fire(sensor: string, run: Run, atMs: number, ctx: { fire: (h: import('./rule.ts').Hit) => void }): void {
  run.fired = true;
  ctx.fire({ entity: `sensor:${sensor}`, evidence: run.ids, atMs, detail: { temp_c: run.temp, minutes: Math.floor((Math.max(atMs, run.lastMs) - run.startMs) / MIN) } });
}
