// A stale badge must mean data really is late (issue 17, item 6). On a fresh start with the demo, the
// warehouse wall said 数据延迟: its slow stock-out query was marked dirty by every stock move faster than it
// computes, so every heartbeat listed it as pending and the wall never had it confirmed. A value recomputed
// within the last heartbeat is current to within one: it is confirmed. One that stops being computed (the
// metric fails) is not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Heartbeat } from '../../server/push/protocol.ts';
import { ADMIN, postEvents, useServer } from '../helpers/server.ts';
import { connect, subscribe, type TestSocket } from '../helpers/socket.ts';

const server = useServer();
let socket: TestSocket;
beforeAll(async () => {
  socket = await connect(server().url, ADMIN);
});
afterAll(() => socket?.close());

describe('heartbeat confirmation under a busy stream', () => {
  it('a slow metric dirtied continually is still confirmed by the heartbeats', async () => {
    // Past a socket's first 16 subscriptions, one is recomputed at most once a second (hub.ts, the slow
    // lane): with a stock move every 100 ms it is due again almost all the time, as the wall's slow query was.
    for (let i = 1; i <= 16; i++) expect(await subscribe(socket, 'sales.top_skus', { limit: i })).toHaveProperty('key');
    const reply = (await subscribe(socket, 'inventory.stock')) as { key: string };
    expect(reply.key).toBeTruthy();
    const beats: Heartbeat[] = [];
    socket.on('hub:heartbeat', (hb) => beats.push(hb));
    // Stock moves every 100 ms for 16 s: the subscription is dirty again as soon as it is computed.
    const until = Date.now() + 16_000;
    let n = 0;
    while (Date.now() < until) {
      expect((await postEvents(server().url, [{ event_id: `mv-${n++}`, type: 'inventory.receipt', ts: new Date().toISOString(), warehouse_id: 'WH-1', sku_id: `SKU-${n % 7}`, batch_no: 'B-1', qty: 1 }])).status).toBe(200);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(beats.length).toBeGreaterThanOrEqual(3);
    const confirmed = beats.filter((b) => b.seqs[reply.key] !== undefined && !b.pending.includes(reply.key));
    // Every heartbeat but possibly the first (the value's first computation) confirms it.
    expect(confirmed.length).toBeGreaterThanOrEqual(beats.length - 1);
  }, 60_000);
});
