// Fuzz of the socket.io protocol against a real server: random event names, payload shapes and types
// (`__proto__`/`toString` keys, binary), missing and non-function acks, raw socket.io packets, odd handshake
// auth, for `metric:subscribe`, `metric:snapshot`, `metric:unsubscribe` and the rest. Properties: the process
// never sees an uncaught exception; an ack is always called, with a snapshot for a valid request and a 4xx-coded
// error for an invalid one (oracle: test/helpers/fuzz-oracle.ts), never a 5xx-coded one; only the exact admin
// token connects; the socket stays usable (or was closed by the server on purpose) and a fresh one works.
import { beforeAll, describe, expect, it } from 'vitest';
import { socketCase, type Catalogue, type SocketOp } from '../helpers/arbitraries.ts';
import { socketViolations, type SocketState } from '../helpers/fuzz-client.ts';
import { crashes, healthViolations, processViolations, property, send, useFuzzServer, watchCrashes } from '../helpers/fuzz-run.ts';
import { ADMIN, INGEST } from '../helpers/server.ts';

const server = useFuzzServer();
watchCrashes();
const crashesAtStart = crashes.length;
let catalogue: Catalogue = [];

beforeAll(async () => {
  const r = await send(server().url, 'GET', '/api/v1/metrics');
  catalogue = (r.body as { id: string; params: Catalogue[number]['params'] }[]).map((m) => ({ id: m.id, params: m.params ?? {} }));
});

const state: SocketState = { main: null };

async function violations(ops: SocketOp[]): Promise<string[]> {
  const crashesBefore = crashes.length;
  const v = await socketViolations(server().url, ops, { catalogue, admin: ADMIN, state });
  return [...v, ...processViolations(crashesBefore)];
}

describe('fuzz: socket protocol', () => {
  it('random events, payloads, acks, raw packets and handshakes: no crash, acks answered, the socket stays usable', () =>
    property('socket', socketCase(catalogue, { admin: ADMIN, ingest: INGEST }), 300, 30_000, violations), 150_000);

  it('afterwards: healthy, subscribe and ingest still work, no crash', async () => {
    state.main?.socket.close();
    expect(await healthViolations(server(), crashesAtStart)).toEqual([]);
  }, 90_000);
});
