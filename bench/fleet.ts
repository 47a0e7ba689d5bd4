// A fleet on this machine (everything shares its 2 cores: redis-server, every instance, the load generator):
//   1. ingest events/s, NDJSON batches of 1,000 demo events posted round-robin through every instance
//      (`concurrency` in flight), each acknowledged only when durable at the leader;
//   2. event → client: one paid order posted at a time (through the instances in turn), and the time until
//      each of `clients` sockets per instance got the update that counts it;
//   3. failover (3 instances only): the leader killed with SIGKILL `kills` times, and the time until an
//      instance leads again and every survivor serves through it (a new member replaces the killed one).
// Usage: npx tsx bench/fleet.ts [instances=1,3 events=60000 concurrency=4 latency=200 clients=20 kills=10]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paid } from '../test/helpers/events.ts';
import { connect, subscribe, type TestSocket } from '../test/helpers/socket.ts';
import { fleetInfo, fleetPrefix, oneLeader, startMember, type Member } from '../test/helpers/fleet.ts';
import { startRedis } from '../test/helpers/redis-server.ts';
import { ADMIN } from '../test/helpers/tokens.ts';
import { demoBatches, demoDay } from './day.ts';
import { INGEST, ONE_ADDRESS_LOAD, post, summary } from './lib.ts';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
const SIZES = String(args.instances ?? '1,3').split(',').map(Number);
const EVENTS = Number(args.events ?? 60_000);
const CONCURRENCY = Number(args.concurrency ?? 4);
const LATENCY_EVENTS = Number(args.latency ?? 200);
const CLIENTS = Number(args.clients ?? 20);
const KILLS = Number(args.kills ?? 10);

// Redis as the README asks of production: append-only, fsync every second.
const redis = await startRedis({ fsync: 'everysec' });
const bodies = demoBatches(demoDay(EVENTS), 1_000);

async function withFleet<T>(n: number, fn: (members: Member[], spawn: () => Promise<Member>) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rxpulse-fleet-bench-'));
  const prefix = fleetPrefix();
  const members: Member[] = [];
  const spawn = async () => {
    // lib.ts's post() sends the benchmarks' ingest token.
    const m = await startMember({ redisUrl: redis.url, dataDir, prefix, env: { RXPULSE_INGEST_TOKEN: INGEST, ...ONE_ADDRESS_LOAD } });
    members.push(m);
    return m;
  };
  try {
    await Promise.all(Array.from({ length: n }, spawn));
    await oneLeader(members);
    return await fn(members, spawn);
  } finally {
    await Promise.all(members.map((m) => m.stop('SIGTERM')));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function ingestRate(members: Member[]): Promise<{ rate: number; p99: number }> {
  let next = 0;
  let accepted = 0;
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const k = next++;
        const t = performance.now();
        const res = await post(members[k % members.length].url, bodies[k].body);
        const json = (await res.json()) as { accepted: number };
        if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(json)}`);
        latencies.push(performance.now() - t);
        accepted += json.accepted;
      }
    }),
  );
  return { rate: accepted / ((performance.now() - t0) / 1000), p99: summary(latencies).p99 };
}

async function eventToClient(members: Member[]): Promise<ReturnType<typeof summary>> {
  const sockets: TestSocket[] = [];
  const seen: Array<Map<number, number>> = [];
  for (const m of members) {
    for (let c = 0; c < CLIENTS; c++) {
      const s = await connect(m.url, ADMIN);
      const times = new Map<number, number>();
      s.on('metric:update', (msg) => {
        if (msg.type !== 'delta' && msg.metric === 'sales.paid_orders' && !times.has(msg.value as number)) times.set(msg.value as number, performance.now());
      });
      const snap = await subscribe(s, 'sales.paid_orders');
      if ('error' in snap) throw new Error(JSON.stringify(snap));
      sockets.push(s);
      seen.push(times);
    }
  }
  const latencies: number[] = [];
  try {
    let count = Number((await (await fetch(`${members[0].url}/api/v1/metrics/sales.paid_orders`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()).value);
    for (let i = 0; i < LATENCY_EVENTS; i++) {
      const id = `lat-${Date.now()}-${i}`;
      const body = JSON.stringify(paid({ event_id: id, order_id: id, ts: new Date().toISOString(), paid_fen: 100 }));
      const t0 = performance.now();
      const res = await post(members[i % members.length].url, body);
      if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
      count++;
      const deadline = performance.now() + 10_000;
      while (!seen.every((m) => m.has(count)) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      for (const m of seen) latencies.push((m.get(count) ?? Number.POSITIVE_INFINITY) - t0);
    }
  } finally {
    for (const s of sockets) s.close();
  }
  return summary(latencies);
}

const f = (n: number) => n.toFixed(0);
for (const n of SIZES) {
  await withFleet(n, async (members) => {
    const ingest = await ingestRate(members);
    const lat = await eventToClient(members);
    console.log(`${n} instance${n > 1 ? 's' : ''}: ingest ${f(ingest.rate)} events/s durable (batches of 1,000 round-robin, ${CONCURRENCY} in flight, p99 ${f(ingest.p99)} ms a batch); ` +
      `event → client (${CLIENTS} sockets per instance, ${LATENCY_EVENTS} events) p50 ${f(lat.p50)} ms, p99 ${f(lat.p99)} ms, max ${f(lat.max)} ms`);
  });
}

if (KILLS > 0) {
  await withFleet(3, async (members, spawn) => {
    const times: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      const live = members.filter((m) => m.child.exitCode === null && m.child.signalCode === null);
      const infos = await Promise.all(live.map(fleetInfo));
      const leader = live[infos.findIndex((i) => i.leading)];
      const survivors = live.filter((m) => m !== leader);
      const t0 = performance.now();
      await leader.stop('SIGKILL');
      await oneLeader(survivors, 20_000);
      times.push(performance.now() - t0);
      await spawn();
      await oneLeader(members.filter((m) => m.child.exitCode === null && m.child.signalCode === null));
    }
    const s = summary(times);
    console.log(`failover over ${KILLS} kill -9 of the leader (3 instances, lease 3 s): serving again after p50 ${f(s.p50)} ms, max ${f(s.max)} ms (${times.map(f).join(', ')})`);
  });
}
await redis.close();
