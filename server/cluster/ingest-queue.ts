// Ingest across a fleet: every instance takes POST /api/v1/events, but one writer (the leader's) stores them,
// so that idempotency by event_id and "the first order.paid counts" stay decided in one place. A request's
// validated events go into a Redis Stream as one entry; the leader reads the stream in a consumer group,
// hands each entry to its IngestWriter (group commit, durable in ClickHouse), and only then answers the
// instance that took the request: `accepted`/`duplicates` are the writer's own. The HTTP answer therefore
// still means "stored in ClickHouse".
//
// - A leader that dies leaves its entries pending in the group; the next leader claims them first
//   (XAUTOCLAIM) and writes them; their events are deduplicated by event_id like any retry.
// - Results are kept for a while under the entry id, so an entry written but not yet acknowledged in the
//   stream is answered again from its result, not written twice.
// - Redis unreachable: a submit fails at once (503 + Retry-After); waiting requests fail when the connection
//   drops. Their entries may still be written later: a 503 never acknowledged them, and the client's retry
//   is deduplicated.
//
// In one process the IngestWriter itself is the queue (same `submit`), so nothing changes without Redis.
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { RxpError } from '../errors.ts';
import type { ValidEvent } from '../ingest/validate.ts';
import type { IngestResult } from '../ingest/writer.ts';

/** What the ingest route needs: the writer in one process, the stream across a fleet. */
export interface IngestSink {
  submit(events: ValidEvent[]): Promise<IngestResult>;
}

export interface StreamNames {
  stream: string;
  group: string;
  /** Channel on which the writer answers the instance `id`. */
  replyChannel(id: string): string;
  /** Key of an entry's result. */
  resultKey(entryId: string): string;
}

export function streamNames(prefix = 'rxpulse:'): StreamNames {
  return {
    stream: `${prefix}ingest`,
    group: 'writers',
    replyChannel: (id) => `${prefix}ingest:reply:${id}`,
    resultKey: (entryId) => `${prefix}ingest:result:${entryId}`,
  };
}

/** A result as stored and published: the counts, or the error the writer gave (with its body: the `errors`
 *  of a request storage refused). */
type Reply = { id: string } & ({ accepted: number; duplicates: number } | { error: { code: string; message: string; body?: Record<string, unknown> } });

/** How long a result stays readable under its entry id. */
const RESULT_TTL_S = 600;

const unavailable = (detail: string): RxpError => new RxpError('RXP_ERR_FLEET_UNAVAILABLE', detail, {}, 2);

interface Waiter {
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
}

export interface StreamIngestOptions {
  /** Commands (XADD, GET): a fail-fast connection (plugins/redis.ts). */
  redis: Redis;
  /** A connection of its own for SUBSCRIBE. */
  subscriber: Redis;
  instanceId: string;
  names: StreamNames;
  logger: FastifyBaseLogger;
  /** A request waits this long for the writer (a leader change takes up to ~5 s). @default 15_000 */
  replyTimeoutMs?: number;
}

/** The submitting side, on every instance. */
export class StreamIngest implements IngestSink {
  private readonly waiters = new Map<string, Waiter>();
  /** Replies that arrived before XADD returned their entry id (the writer can be that quick). */
  private readonly early = new Map<string, Reply>();
  private readonly channel: string;
  private readonly timeoutMs: number;

  constructor(private readonly o: StreamIngestOptions) {
    this.channel = o.names.replyChannel(o.instanceId);
    this.timeoutMs = o.replyTimeoutMs ?? 15_000;
  }

  async start(): Promise<void> {
    this.o.subscriber.on('message', (channel: string, text: string) => {
      if (channel === this.channel) this.onReply(JSON.parse(text) as Reply);
    });
    // Subscriptions are restored on reconnect (ioredis); replies published meanwhile are read back from
    // their result keys.
    this.o.subscriber.on('ready', () => void this.recheckAll());
    // Requests waiting when Redis goes away are answered 503 now, not at their timeout.
    this.o.redis.on('close', () => this.failAll('Redis connection lost'));
    await this.o.subscriber.subscribe(this.channel);
  }

  get waiting(): number {
    return this.waiters.size;
  }

  async submit(events: ValidEvent[]): Promise<IngestResult> {
    if (events.length === 0) return { accepted: 0, duplicates: 0 };
    if (this.o.redis.status !== 'ready' || this.o.subscriber.status !== 'ready') throw unavailable('Redis is unreachable');
    let id: string;
    try {
      id = (await this.o.redis.xadd(this.o.names.stream, '*', 'from', this.o.instanceId, 'events', JSON.stringify(events)))!;
    } catch (err) {
      this.o.logger.warn({ err }, 'ingest: XADD failed');
      throw unavailable('Redis is unreachable');
    }
    return new Promise<IngestResult>((resolve, reject) => {
      const timer = setTimeout(() => void this.recheck(id, true), this.timeoutMs);
      this.waiters.set(id, { resolve, reject, timer });
      const early = this.early.get(id);
      if (early) {
        this.early.delete(id);
        this.settle(early);
      }
    });
  }

  /** Rejects everything waiting (shutdown). */
  close(): void {
    this.failAll('server is shutting down');
  }

  private onReply(reply: Reply): void {
    if (this.waiters.has(reply.id)) this.settle(reply);
    else {
      this.early.set(reply.id, reply);
      setTimeout(() => this.early.delete(reply.id), 60_000).unref();
    }
  }

  private settle(reply: Reply): void {
    const w = this.waiters.get(reply.id);
    if (!w) return;
    this.waiters.delete(reply.id);
    clearTimeout(w.timer);
    if ('error' in reply) {
      const code = reply.error.code in ERROR_CODES ? (reply.error.code as keyof typeof ERROR_CODES) : 'RXP_ERR_STORAGE_UNAVAILABLE';
      // A refused request is final (400 with its errors); anything else is retried after Retry-After.
      w.reject(code === 'RXP_ERR_INGEST_INVALID' ? new RxpError(code, reply.error.message, reply.error.body ?? {}) : new RxpError(code, reply.error.message, {}, 1));
    } else w.resolve({ accepted: reply.accepted, duplicates: reply.duplicates });
  }

  private async recheck(id: string, final: boolean): Promise<void> {
    if (!this.waiters.has(id)) return;
    const stored = await this.o.redis.get(this.o.names.resultKey(id)).catch(() => null);
    if (stored) return this.settle(JSON.parse(stored) as Reply);
    if (!final) return;
    const w = this.waiters.get(id);
    if (!w) return;
    this.waiters.delete(id);
    w.reject(unavailable('no writer answered in time (no leader?)'));
  }

  private async recheckAll(): Promise<void> {
    await Promise.all([...this.waiters.keys()].map((id) => this.recheck(id, false)));
  }

  private failAll(reason: string): void {
    for (const [id, w] of this.waiters) {
      clearTimeout(w.timer);
      this.waiters.delete(id);
      w.reject(unavailable(reason));
    }
  }
}

/** Error codes a writer's reply may carry back (the rest map to storage unavailable). */
const ERROR_CODES = { RXP_ERR_STORAGE_UNAVAILABLE: 1, RXP_ERR_SHUTTING_DOWN: 1, RXP_ERR_INGEST_INVALID: 1 } as const;

export interface StreamConsumerOptions {
  /** A connection without a command timeout: XREADGROUP blocks on it. */
  blocking: Redis;
  /** Replies, results and acknowledgements (fail-fast). */
  redis: Redis;
  /** The consumer's name in the group (the instance id). */
  consumer: string;
  names: StreamNames;
  writer: IngestSink;
  logger: FastifyBaseLogger;
  /** Entries read per call. @default 200 */
  count?: number;
}

type Entry = [id: string, fields: string[]];

/** Entries handed to the writer and not yet answered, at most: the writer's queue always holds the next group. */
const MAX_IN_FLIGHT = 64;

/**
 * The writing side, run by the leader only. Entries are handed to the writer as they are read, without
 * waiting for the previous ones to be answered: while one group commit runs, the next entries queue in the
 * writer and go into the following INSERT, as requests to a single instance do.
 */
export class StreamConsumer {
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  /** Ids of the entries in flight: a claim after a read error must not hand them to the writer twice. */
  private readonly inFlightIds = new Set<string>();
  readonly stats = { entries: 0, claimed: 0, replayed: 0 };

  constructor(private readonly o: StreamConsumerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops reading; entries being written are finished and answered. */
  async stop(): Promise<void> {
    this.running = false;
    // Unblock a pending XREADGROUP (the connection is ours alone).
    this.o.blocking.disconnect(true);
    await this.loop;
    this.loop = null;
    await Promise.allSettled([...this.inFlight]);
  }

  private async run(): Promise<void> {
    const { blocking, names } = this.o;
    let claimed = false;
    while (this.running) {
      try {
        if (blocking.status !== 'ready') await waitReady(blocking);
        await blocking.xgroup('CREATE', names.stream, names.group, '0', 'MKSTREAM').catch((err: Error) => {
          if (!/BUSYGROUP/.test(err.message)) throw err;
        });
        // First what a previous writer read and never acknowledged (it died or stepped down).
        if (!claimed) {
          await this.claimPending();
          claimed = true;
        }
        while (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
        const room = MAX_IN_FLIGHT - this.inFlight.size;
        const res = (await blocking.xreadgroup('GROUP', names.group, this.o.consumer, 'COUNT', Math.min(room, this.o.count ?? 200), 'BLOCK', 1_000, 'STREAMS', names.stream, '>')) as [string, Entry[]][] | null;
        if (res) this.dispatch(res[0][1]);
      } catch (err) {
        if (!this.running) break;
        this.o.logger.warn({ err }, 'ingest stream: read failed; retrying');
        claimed = false;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async claimPending(): Promise<void> {
    const { blocking, names } = this.o;
    let cursor = '0-0';
    do {
      const [next, entries] = (await blocking.xautoclaim(names.stream, names.group, this.o.consumer, 0, cursor, 'COUNT', 200)) as [string, Entry[], string[]];
      const live = entries.filter((e) => e && e[1]);
      this.stats.claimed += live.length;
      this.dispatch(live);
      cursor = next;
    } while (cursor !== '0-0' && this.running);
  }

  private dispatch(entries: Entry[]): void {
    for (const entry of entries) {
      const [id] = entry;
      if (this.inFlightIds.has(id)) continue;
      this.inFlightIds.add(id);
      const done: Promise<void> = this.handle(entry)
        .catch((err) => this.o.logger.error({ err, entry: id }, 'ingest stream: entry not answered (it stays pending)'))
        .finally(() => {
          this.inFlight.delete(done);
          this.inFlightIds.delete(id);
        });
      this.inFlight.add(done);
    }
  }

  /** Writes one entry (or finds its result) and answers it; an entry left unanswered stays pending for the next writer. */
  private async handle([id, fields]: Entry): Promise<void> {
    const { redis, names } = this.o;
    const from = field(fields, 'from');
    let reply: Reply;
    // An entry already written (its result stored, the acknowledgement lost) is answered from its result.
    const stored = await redis.get(names.resultKey(id));
    if (stored) {
      this.stats.replayed++;
      reply = JSON.parse(stored) as Reply;
    } else {
      try {
        reply = { id, ...(await this.o.writer.submit(JSON.parse(field(fields, 'events')) as ValidEvent[])) };
      } catch (err) {
        // Shutting down (stepping down): leave the entry pending for the next writer.
        if (err instanceof RxpError && err.code === 'RXP_ERR_SHUTTING_DOWN') return;
        const e = err instanceof RxpError ? err : new RxpError('RXP_ERR_STORAGE_UNAVAILABLE');
        reply = { id, error: { code: e.code, message: e.message, ...(e.code === 'RXP_ERR_INGEST_INVALID' ? { body: e.body } : {}) } };
      }
    }
    const text = JSON.stringify(reply);
    await redis.multi().set(names.resultKey(id), text, 'EX', RESULT_TTL_S).publish(names.replyChannel(from), text).xack(names.stream, names.group, id).xdel(names.stream, id).exec();
    this.stats.entries++;
  }
}

function field(fields: string[], name: string): string {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return '';
}

function waitReady(redis: Redis): Promise<void> {
  if (redis.status === 'wait' || redis.status === 'end' || redis.status === 'close') void redis.connect().catch(() => undefined);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('Redis not ready')), 2_000);
    redis.once('ready', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
