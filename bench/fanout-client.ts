// Worker of bench/fanout.ts and bench/reconnect-storm.ts (not run by hand): a child process that opens
// `clients` socket.io clients against a running RxPulse, each subscribing to the same metrics like a screen
// does, and answers its parent over IPC (`process.send`) with what every client saw.
//   mode=fanout: no reconnection (a dropped client is a failure); per client and subscription it keeps the
//     snapshot seq, the last seq seen, how many updates came and the seq gaps.
//   mode=storm: reconnection on (reconnectionDelay 500, reconnectionDelayMax 5000, default randomization);
//     on every 'connect' the client subscribes again, and after 'io server disconnect' (a graceful stop) it
//     calls connect() after 1–3 s, as the screen runtime does. After the parent's `mark`
//     (sent just before it restarts the server) it records, per client, when it was back: connected and
//     holding a snapshot of every metric, and the first metric's snapshot value then.
// Usage (by the parents): node --import tsx bench/fanout-client.ts url=http://127.0.0.1:3903 token=… child=0
//   clients=2500 ramp=25 mode=fanout|storm metrics=sales.gmv,sales.paid_orders,sales.orders_per_minute
// Imported by the parents, it only exports the IPC types and a few helpers (it runs as a worker only when it is
// the process's entry point and has an IPC channel).
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { applyPatch, type PatchOp } from '../server/push/delta.ts';

// ---- IPC and wire types (exported as types only for the parents) ----

/** What this worker reads of the socket protocol (server/push/protocol.ts): `seq` is what is counted; the
 *  value is followed too, from whole values (`update`) and patches on seq − 1 (`delta`, server/push/delta.ts). */
export interface WireMessage {
  type: string;
  key: string;
  seq: number;
  value?: unknown;
  patch?: PatchOp[];
}
export interface WireReply extends Partial<WireMessage> {
  error?: string;
  code?: string;
}
export interface ServerEvents {
  'metric:update': (msg: WireMessage) => void;
  'hub:heartbeat': (hb: { as_of: string; pending: string[] }) => void;
  'server:shutdown': (info: { reason: string }) => void;
}
export interface ClientEvents {
  'metric:subscribe': (req: { metric: string; params: Record<string, unknown> }, ack: (reply: WireReply) => void) => void;
  'metric:snapshot': (req: { key: string }, ack: (reply: WireReply) => void) => void;
}
export type BenchSocket = Socket<ServerEvents, ClientEvents>;

/** One subscription (metric) over all clients of a worker, as arrays indexed by client. */
export interface KeyReport {
  metric: string;
  /** The server's key (the same for every client: the params are the same). */
  key: string | null;
  /** Snapshot seq of the current subscription (0: never subscribed). */
  snapSeq: number[];
  /** Highest seq seen (snapshot or update). */
  lastSeq: number[];
  /** Updates counted after the snapshot. */
  updates: number[];
  /** Seqs skipped (a jump from n to n + 3 counts 2). */
  gaps: number[];
  /** JSON of the last value held → number of clients holding it (clients whose value is known). */
  values: Record<string, number>;
  /** Clients whose value is unknown (a delta after a gap: nothing to apply it to). */
  unknownValues: number;
}

export interface ReadyMessage {
  type: 'ready';
  child: number;
  clients: number;
  subscribed: number;
  failed: number;
  errors: Record<string, number>;
  ms: number;
}
export interface ReportMessage {
  type: 'report';
  child: number;
  clients: number;
  connected: number;
  keys: KeyReport[];
  /** Updates at or below the seq already held (duplicates or late), over all clients and subscriptions. */
  stale: number;
  disconnects: Record<string, number>;
  connectErrors: number;
  errors: Record<string, number>;
  /** Storm mode: reconnects made as the screen runtime does after 'io server disconnect' (socket.io-client
   *  does not retry those by itself). */
  manualReconnects: number;
  /** Storm mode, per client, after `mark`: Date.now() of the 'connect' that brought it back, of the moment it
   *  held snapshots of every metric, and the first metric's snapshot value (JSON); null while not back. */
  back: { connectAt: (number | null)[]; backAt: (number | null)[]; firstValue: (string | null)[] } | null;
}
export type ChildMessage = ReadyMessage | ReportMessage | { type: 'progress'; child: number; back: number; clients: number } | { type: 'marked'; child: number };
export type ParentMessage = { type: 'report' } | { type: 'progress' } | { type: 'mark' } | { type: 'close' };

// ---- helpers for the parents (this module runs as a worker only when started as one) ----

/** The worker's path, to spawn it. */
export const WORKER_PATH = fileURLToPath(import.meta.url);

/** The distinct metrics of the war-room screen's widgets (no params), in widget order. */
export function warRoomMetrics(): string[] {
  const screen = JSON.parse(readFileSync(fileURLToPath(new URL('../screens/builtin/war-room.json', import.meta.url)), 'utf8')) as { widgets: { metric?: string }[] };
  return [...new Set(screen.widgets.flatMap((w) => (w.metric ? [w.metric] : [])))];
}

/** The next message of `type` from a worker. */
export function nextMessage<T extends ChildMessage['type']>(child: ChildProcess, type: T, timeoutMs: number): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`worker sent no '${type}' within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const onMessage = (m: ChildMessage) => {
      if (m.type !== type) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m as Extract<ChildMessage, { type: T }>);
    };
    child.on('message', onMessage);
  });
}

/** Sends `msg` to a worker and waits for its answer of type `reply`. */
export function ask<T extends ChildMessage['type']>(child: ChildProcess, msg: ParentMessage, reply: T, timeoutMs = 60_000): Promise<Extract<ChildMessage, { type: T }>> {
  const answer = nextMessage(child, reply, timeoutMs);
  child.send(msg);
  return answer;
}

/** Asks every worker to close its sockets and exit; SIGKILL after 5 s. */
export async function closeWorkers(workers: ChildProcess[]): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      if (w.exitCode !== null || w.signalCode !== null) return;
      const exited = new Promise((r) => w.once('exit', r));
      if (w.connected) w.send({ type: 'close' } satisfies ParentMessage);
      const timer = setTimeout(() => w.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

/** GET /api/v1/metrics/{id} (no params) with the admin token: the value. */
export async function metricValue(url: string, token: string, id: string): Promise<unknown> {
  const res = await fetch(`${url}/api/v1/metrics/${id}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET /api/v1/metrics/${id} answered ${res.status}`);
  return ((await res.json()) as { value: unknown }).value;
}

/** One paid order of `fen`, now (NDJSON line). */
export function paidOrder(id: string, fen: number): string {
  return JSON.stringify({ event_id: `${id}`, type: 'order.paid', ts: Date.now(), order_id: id.toUpperCase(), channel: 'tmall', shop_id: 'tmall-01', buyer_id: 'b', province: '广东', paid_fen: fen, lines: [{ sku_id: 'SKU-1', qty: 1, unit_price_fen: fen }] });
}

// ---- the worker ----

interface KeyState {
  key: string | null;
  snapSeq: number;
  lastSeq: number;
  updates: number;
  gaps: number;
  value: unknown;
  valueKnown: boolean;
}

interface Client {
  socket: BenchSocket;
  keys: KeyState[];
  /** Updates that arrived before the subscribe ack told us their key (the room is joined before the ack). */
  early: WireMessage[];
  /** Increments with every connection: a late ack of an older connection is ignored. */
  generation: number;
  done: boolean;
  connectAt: number | null;
  backAt: number | null;
  firstValue: string | null;
}

const isMain = process.argv[1] === WORKER_PATH && typeof process.send === 'function';

if (isMain) {
  const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
  const SERVER_URL = String(args.url);
  const TOKEN = String(args.token);
  const CHILD = Number(args.child ?? 0);
  const CLIENTS = Number(args.clients ?? 100);
  const RAMP = Math.max(1, Number(args.ramp ?? 25)); // sockets opened per 30 ms
  const MODE = args.mode === 'storm' ? 'storm' : 'fanout';
  const METRICS = String(args.metrics ?? 'sales.gmv').split(',');
  const MAX_IN_FLIGHT = 500; // sockets connecting or subscribing at once during the ramp

  const send = (m: ChildMessage) => process.send!(m);
  const count = (map: Record<string, number>, k: string) => (map[k] = (map[k] ?? 0) + 1);
  const clients: Client[] = [];
  const errors: Record<string, number> = {};
  const disconnects: Record<string, number> = {};
  let connectErrors = 0;
  let manualReconnects = 0;
  let finished = 0; // initial subscription done or failed
  let subscribed = 0;
  let marked = false;
  let stale = 0;
  const started = Date.now();

  const freshKey = (): KeyState => ({ key: null, snapSeq: 0, lastSeq: 0, updates: 0, gaps: 0, value: undefined, valueKnown: false });

  /** One update (or an early one replayed once its key is known) for the subscription it belongs to. */
  const onUpdate = (c: Client, m: WireMessage) => {
    const k = c.keys.find((s) => s.key === m.key);
    if (!k) {
      c.early.push(m);
      return;
    }
    if (m.seq <= k.lastSeq) {
      stale++;
      return;
    }
    if ('value' in m) {
      k.value = m.value;
      k.valueKnown = true;
    } else if (m.patch && k.valueKnown && m.seq === k.lastSeq + 1) k.value = applyPatch(k.value, m.patch);
    else k.valueKnown = false; // a patch on a value this client does not have
    if (m.seq > k.lastSeq + 1) k.gaps += m.seq - k.lastSeq - 1;
    k.updates++;
    k.lastSeq = m.seq;
  };
  /** The first subscription of a client is done (or failed: its error is counted by the caller). */
  const finishInitial = (c: Client, ok: boolean) => {
    if (c.done) return;
    c.done = true;
    finished++;
    if (ok) subscribed++;
    if (finished === CLIENTS) send({ type: 'ready', child: CHILD, clients: CLIENTS, subscribed, failed: CLIENTS - subscribed, errors, ms: Date.now() - started });
  };

  /** Subscribes every metric on the current connection (the screen runtime does this on each 'connect'). */
  const subscribeAll = async (c: Client) => {
    const generation = ++c.generation;
    const connectAt = Date.now();
    c.keys = METRICS.map(freshKey); // a new socket has no subscriptions: seqs may restart
    c.early = [];
    const replies = await Promise.all(
      METRICS.map((metric) =>
        c.socket
          .timeout(15_000)
          .emitWithAck('metric:subscribe', { metric, params: {} })
          .catch((): WireReply => ({ error: 'timeout', code: 'ACK_TIMEOUT' })),
      ),
    );
    if (generation !== c.generation) return; // reconnected meanwhile: that connection subscribes anew
    const failed = replies.find((r) => r.error !== undefined || typeof r.seq !== 'number' || typeof r.key !== 'string');
    if (failed) {
      count(errors, failed.code ?? failed.error ?? 'bad reply');
      finishInitial(c, false);
      return;
    }
    replies.forEach((r, i) => {
      const k = c.keys[i];
      k.key = r.key!;
      k.snapSeq = k.lastSeq = r.seq!;
      k.value = r.value;
      k.valueKnown = 'value' in r;
    });
    // Updates that raced the acks: count those newer than the snapshot.
    const early = c.early;
    c.early = [];
    for (const m of early.sort((a, b) => a.seq - b.seq)) onUpdate(c, m);
    finishInitial(c, true);
    if (marked && c.backAt === null) {
      c.connectAt = connectAt;
      c.backAt = Date.now();
      c.firstValue = JSON.stringify(replies[0].value);
    }
  };

  const open = (): Client => {
    const socket: BenchSocket = io(SERVER_URL, {
      auth: { token: TOKEN },
      transports: ['websocket'],
      forceNew: true,
      reconnection: MODE === 'storm',
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
    });
    const c: Client = { socket, keys: METRICS.map(freshKey), early: [], generation: 0, done: false, connectAt: null, backAt: null, firstValue: null };
    socket.on('connect', () => void subscribeAll(c));
    socket.on('metric:update', (m) => onUpdate(c, m));
    socket.on('connect_error', (err) => {
      connectErrors++;
      // Without reconnection the client gives up here; with it, the manager tries again by itself.
      // engine.io's TransportError keeps the underlying cause (ws: an ErrorEvent with a message) in `description`.
      const cause = (err as Error & { description?: { message?: unknown } }).description?.message;
      if (MODE === 'fanout') {
        count(errors, `connect_error: ${err.message}${typeof cause === 'string' ? ` (${cause})` : ''}`);
        finishInitial(c, false);
      }
    });
    socket.on('disconnect', (reason) => {
      count(disconnects, reason);
      c.generation++;
      // socket.io-client does not reconnect by itself after the server disconnected the socket (a graceful
      // stop does that); the screen runtime then reconnects after 1–3 s (screens/runtime/live-metrics.ts).
      if (MODE === 'storm' && reason === 'io server disconnect') {
        manualReconnects++;
        setTimeout(() => socket.connect(), 1_000 + Math.random() * 2_000);
      }
    });
    return c;
  };

  const report = (): ReportMessage => {
    const keys: KeyReport[] = METRICS.map((metric, i) => {
      const values: Record<string, number> = {};
      let unknownValues = 0;
      for (const c of clients) {
        const k = c.keys[i];
        if (k.key === null) continue; // never subscribed
        if (k.valueKnown) count(values, JSON.stringify(k.value));
        else unknownValues++;
      }
      return {
        metric,
        key: clients.find((c) => c.keys[i].key !== null)?.keys[i].key ?? null,
        snapSeq: clients.map((c) => c.keys[i].snapSeq),
        lastSeq: clients.map((c) => c.keys[i].lastSeq),
        updates: clients.map((c) => c.keys[i].updates),
        gaps: clients.map((c) => c.keys[i].gaps),
        values,
        unknownValues,
      };
    });
    return {
      type: 'report',
      child: CHILD,
      clients: clients.length,
      connected: clients.filter((c) => c.socket.connected).length,
      keys,
      stale,
      disconnects,
      connectErrors,
      errors,
      manualReconnects,
      back: MODE === 'storm' ? { connectAt: clients.map((c) => c.connectAt), backAt: clients.map((c) => c.backAt), firstValue: clients.map((c) => c.firstValue) } : null,
    };
  };

  process.on('message', (m: ParentMessage) => {
    if (m.type === 'report') send(report());
    else if (m.type === 'progress') send({ type: 'progress', child: CHILD, back: clients.filter((c) => c.backAt !== null).length, clients: clients.length });
    else if (m.type === 'mark') {
      marked = true;
      for (const c of clients) c.connectAt = c.backAt = c.firstValue = null;
      send({ type: 'marked', child: CHILD });
    } else if (m.type === 'close') {
      for (const c of clients) c.socket.close();
      process.disconnect();
      setTimeout(() => process.exit(0), 100).unref();
    }
  });
  // The parent went away (crash, Ctrl-C): do not linger.
  process.on('disconnect', () => process.exit(0));

  // Ramp: RAMP sockets every 30 ms, never more than MAX_IN_FLIGHT still connecting or subscribing.
  while (clients.length < CLIENTS) {
    const inFlight = clients.length - finished;
    const n = Math.min(RAMP, CLIENTS - clients.length, Math.max(0, MAX_IN_FLIGHT - inFlight));
    for (let i = 0; i < n; i++) clients.push(open());
    await new Promise((r) => setTimeout(r, 30));
  }
}
