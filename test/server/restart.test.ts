// chDB binds one data directory per process: this file restarts a server on the same directory, so it
// runs in its own fork, apart from the other server tests.
import { describe, expect, it } from 'vitest';
import { getJson, postEvents, removeDir, startServer } from '../helpers/server.ts';
import { paid } from '../helpers/events.ts';

const TS = '2026-11-11T10:00:00.000+08:00';

describe('idempotency across a restart', () => {
  it('does not double-count a batch retried after the server restarted on the same data dir', async () => {
    const a = await startServer();
    const batch = [paid({ ts: TS, paid_fen: 12_345, event_id: 'restart-1' }), paid({ ts: TS, paid_fen: 55, event_id: 'restart-2' })];
    expect((await postEvents(a.url, batch)).body).toEqual({ accepted: 2, duplicates: 0 });
    await a.close();
    const b = await startServer({ dataDir: a.dataDir });
    try {
      expect((await postEvents(b.url, batch)).body).toEqual({ accepted: 0, duplicates: 2 });
      const gmv = await getJson(b.url, '/api/v1/metrics/sales.gmv?date=2026-11-11');
      expect(gmv.body.value).toBe(12_400);
    } finally {
      await b.close();
      removeDir(a.dataDir);
    }
  });
});
