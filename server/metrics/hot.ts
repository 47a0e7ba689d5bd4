// Hot counters: GMV and paid orders per business date kept in memory from the ingest path, so the war-room's
// headline numbers move as soon as a payment is durable, without waiting for the projection (≈ 10 ms per
// part written on this disk, tens of ms per cycle). ClickHouse stays the reference:
//
// - A date is seeded from ClickHouse (salesDayTotals, the same SQL the metrics declare) inside a projector
//   slot, when nothing is being projected, so the rows it sums are exactly the commit groups ≤ the projected
//   high-water mark.
// - Each commit adds its first payments, per date, as a pending entry of its group; when the projector reports
//   groups ≤ `to` projected, their entries move into the projected totals of the seeded dates.
// - value(date) = projected totals + pending entries. `reconcile()` compares the projected totals with
//   ClickHouse in a projector slot; a difference is logged as an error, counted, and ClickHouse wins.
import type { FastifyBaseLogger } from 'fastify';
import { RxpError } from '../errors.ts';
import { businessDate } from '../time.ts';
import type { SalesDayTotals } from './sales/rollup.ts';

export interface HotPayment {
  tsMs: number;
  paid_fen: number;
}

export interface HotSalesOptions {
  tz: string;
  logger: FastifyBaseLogger;
  /** Day totals from ClickHouse (the metrics' own SQL). */
  query: (date: string) => Promise<SalesDayTotals>;
  /** Runs `fn` while no projection cycle runs (Projector.exclusive). */
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Seeded dates kept; the least recently read one is dropped beyond it. @default 8 */
  maxDates?: number;
}

const add = (a: SalesDayTotals, b: SalesDayTotals): SalesDayTotals => ({ gmv_fen: a.gmv_fen + b.gmv_fen, orders: a.orders + b.orders });
const ZERO: SalesDayTotals = { gmv_fen: 0, orders: 0 };

export class HotSales {
  /** Seeded dates → totals of the projected commit groups. Map order = recency of use. */
  private readonly projected = new Map<string, SalesDayTotals>();
  private readonly seeding = new Map<string, Promise<void>>();
  /** Commit groups not yet projected, in group order: their first payments per date. */
  private pending: { group: number; byDate: Map<string, SalesDayTotals> }[] = [];
  private projectedTo = 0;
  /** Seeds and reconciliations running (close() waits for them); none start once closed. */
  private readonly running = new Set<Promise<unknown>>();
  private closed = false;
  readonly stats = { seeded: 0, reconciliations: 0, mismatches: 0 };

  constructor(private readonly opts: HotSalesOptions) {}

  /** A durable commit group's first payments (called by the writer's commit listener). */
  commit(group: number, payments: readonly HotPayment[]): void {
    if (payments.length === 0) return;
    const byDate = new Map<string, SalesDayTotals>();
    for (const p of payments) {
      const date = businessDate(p.tsMs, this.opts.tz);
      byDate.set(date, add(byDate.get(date) ?? ZERO, { gmv_fen: p.paid_fen, orders: 1 }));
    }
    if (group <= this.projectedTo) this.settle(byDate);
    else this.pending.push({ group, byDate });
  }

  /** Groups up to `to` are now visible in ClickHouse (called by the projector after each cycle). */
  projectedUpTo(to: number): void {
    this.projectedTo = Math.max(this.projectedTo, to);
    let i = 0;
    while (i < this.pending.length && this.pending[i].group <= to) this.settle(this.pending[i++].byDate);
    if (i > 0) this.pending = this.pending.slice(i);
  }

  private settle(byDate: Map<string, SalesDayTotals>): void {
    for (const [date, t] of byDate) {
      const cur = this.projected.get(date);
      if (cur) this.projected.set(date, add(cur, t));
    }
  }

  /** Current totals of a business date: ClickHouse's plus every durable commit not yet projected. */
  async get(date: string): Promise<SalesDayTotals> {
    if (!this.projected.has(date)) await this.seed(date);
    const base = this.projected.get(date)!;
    this.projected.delete(date); // re-insert: most recently used last
    this.projected.set(date, base);
    let total = base;
    for (const p of this.pending) {
      const t = p.byDate.get(date);
      if (t) total = add(total, t);
    }
    return total;
  }

  private seed(date: string): Promise<void> {
    if (this.closed) return Promise.reject(new RxpError('RXP_ERR_SHUTTING_DOWN', undefined, {}, 2));
    let running = this.seeding.get(date);
    if (!running) {
      running = this.opts
        .exclusive(async () => {
          if (this.projected.has(date)) return;
          this.projected.set(date, await this.opts.query(date));
          this.stats.seeded++;
          const max = this.opts.maxDates ?? 8;
          while (this.projected.size > max) this.projected.delete(this.projected.keys().next().value!);
        })
        .finally(() => this.seeding.delete(date));
      this.seeding.set(date, running);
      this.track(running);
    }
    return running;
  }

  /** Checks every seeded date against ClickHouse; returns the dates that differed (ClickHouse then wins).
   *  Nothing once closed. */
  reconcile(): Promise<string[]> {
    if (this.closed) return Promise.resolve([]);
    return this.track(this.opts.exclusive(async () => {
      const differed: string[] = [];
      for (const [date, mine] of [...this.projected]) {
        const truth = await this.opts.query(date);
        if (truth.gmv_fen !== mine.gmv_fen || truth.orders !== mine.orders) {
          differed.push(date);
          this.stats.mismatches++;
          this.opts.logger.error({ date, hot: mine, clickhouse: truth }, 'hot sales counters differed from ClickHouse; reset to ClickHouse');
          if (this.projected.has(date)) this.projected.set(date, truth);
        }
      }
      this.stats.reconciliations++;
      return differed;
    }));
  }

  /** At a stop: no seed or reconciliation starts any more; resolves when those running have finished (their
   *  queries run inside projector slots, which Projector.close does not wait for). */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    const done = () => this.running.delete(p);
    p.then(done, done);
    return p;
  }
}
