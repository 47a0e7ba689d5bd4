// The client side of the fuzz suite, shared by test/server/fuzz-*.test.ts and bench/fuzz.ts: an HTTP request
// that never throws on an odd answer, and the socket.io case runner (socket operations in, violations out).
// No vitest here.
import { io, type Socket } from 'socket.io-client';
import { ERRORS, type ErrorCode } from '../../server/errors.ts';
import { KNOWN_KEY, classifySubscribe, isObject, show, viaJson, type Catalogue, type Reply, type SocketOp } from './fuzz-oracle.ts';

export async function send(
  url: string,
  method: string,
  path: string,
  o: { body?: string | Uint8Array; contentType?: string | null; token?: string | null; timeoutMs?: number },
): Promise<Reply & { text: string }> {
  const headers: Record<string, string> = {};
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.contentType !== undefined && o.contentType !== null) headers['content-type'] = o.contentType;
  // A string body would get `text/plain` from fetch: without a type, send bytes.
  const body = typeof o.body === 'string' && (o.contentType === null || o.contentType === undefined) ? Buffer.from(o.body) : o.body;
  const res = await fetch(`${url}${path}`, { method, headers, body: body as unknown as BodyInit | undefined, signal: AbortSignal.timeout(o.timeoutMs ?? 30_000) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body: parsed, text };
}

/** HTTP status of a socket error reply's code (a reply with a 5xx code is a 5xx). */
export const statusOfCode = (code: unknown): number => (typeof code === 'string' && code in ERRORS ? ERRORS[code as ErrorCode].status : 0);

// --- socket.io -----------------------------------------------------------------------------------------------
const ACK_MS = 5_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `localAddress`: the client's source address (the bench spreads its sockets over 127.0.0.0/8: the server
 *  limits handshakes per address). */
export function openSocket(url: string, auth: unknown, localAddress?: string): Promise<{ socket: Socket; connected: boolean; error?: string }> {
  const socket = io(url, { auth: auth as Record<string, unknown>, transports: ['websocket'], forceNew: true, reconnection: false, timeout: ACK_MS, ...(localAddress ? { localAddress } : {}) });
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ socket, connected: false, error: 'no answer' }), ACK_MS);
    socket.once('connect', () => (clearTimeout(timer), resolve({ socket, connected: true })));
    socket.once('connect_error', (err) => (clearTimeout(timer), resolve({ socket, connected: false, error: err.message })));
    socket.once('disconnect', (reason) => (clearTimeout(timer), resolve({ socket, connected: false, error: `disconnect: ${reason}` })));
  });
}

/** Emits and waits for the ack (or `ACK_MS`, or the socket's disconnection). */
export function emitAck(socket: Socket, event: string, args: unknown[]): Promise<{ replied: boolean; reply: unknown }> {
  return new Promise((resolve) => {
    const done = (r: { replied: boolean; reply: unknown }) => {
      clearTimeout(timer);
      socket.off('disconnect', gone);
      resolve(r);
    };
    const gone = () => done({ replied: false, reply: undefined });
    const timer = setTimeout(gone, ACK_MS);
    socket.once('disconnect', gone);
    socket.emit(event, ...args, (reply: unknown) => done({ replied: true, reply }));
  });
}

const substitute = (v: unknown, key: string): unknown => {
  if (v === KNOWN_KEY) return key;
  if (Array.isArray(v)) return v.map((x) => substitute(x, key));
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: substitute(v[k], key), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
};

/** The request as the server decodes it (binary stays binary). */
const onWire = (v: unknown): unknown => (v instanceof Uint8Array ? v : isObject(v) && Object.values(v).some((x) => x instanceof Uint8Array) ? v : viaJson(v));

export const isSnapshot = (r: unknown) => isObject(r) && r.type === 'snapshot' && typeof r.key === 'string' && typeof r.seq === 'number' && 'value' in r;
const isError = (r: unknown) => isObject(r) && typeof r.error === 'string' && typeof r.code === 'string';
/** Replies coded 429 (a socket's rate, subscription or connection limits): the server's bounds, not a verdict. */
const limited = (r: unknown) => isError(r) && statusOfCode((r as { code: unknown }).code) === 429;
/** engine.io closes a connection whose message exceeds its limit (64 KiB): a drop after one is on purpose. */
const BIG_MESSAGE = 60_000;
const size = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? 'b'.repeat(x.length) : x))?.length ?? 0;

/** The admin socket cases share, renewed every CASES_PER_SOCKET cases (a socket may send 20 messages/s). */
const CASES_PER_SOCKET = 15;
export interface SocketState {
  /** A source address for each new socket (default: the system's). */
  localAddress?: () => string;
  main: { socket: Socket; cases: number; subscribed: Set<string>; lastKey: string; uncertain: boolean; reason: string | null } | null;
}

async function mainSocket(url: string, admin: string, state: SocketState): Promise<NonNullable<SocketState['main']> | string> {
  if (state.main && state.main.socket.connected && state.main.cases < CASES_PER_SOCKET) return state.main;
  state.main?.socket.close();
  state.main = null;
  const o = await openSocket(url, { token: admin }, state.localAddress?.());
  if (!o.connected) return `the admin token does not connect: ${o.error}`;
  const m = { socket: o.socket, cases: 0, subscribed: new Set<string>(), lastKey: 'no-key-yet', uncertain: false, reason: null as string | null };
  o.socket.on('disconnect', (r) => (m.reason = r));
  return (state.main = m);
}

/**
 * Runs socket operations on the shared admin socket and says what is wrong: an ack missing or neither a
 * snapshot nor an error; a 5xx-coded error; a valid subscribe refused or an invalid one taken; a snapshot of
 * a key not held; a handshake that connects when it should not (or not when it should); a socket dropped for
 * nothing; afterwards a normal subscribe failing. (Process crashes are the caller's to watch.)
 */
export async function socketViolations(url: string, ops: SocketOp[], o: { catalogue: Catalogue; admin: string; state: SocketState }): Promise<string[]> {
  const v: string[] = [];
  const m = await mainSocket(url, o.admin, o.state);
  if (typeof m === 'string') return [m];
  m.cases++;
  const { socket } = m;
  let rawSent = false;
  let big = false;
  const others: Socket[] = [];
  try {
    for (const [i, op] of ops.entries()) {
      if (!socket.connected) break;
      const at = `op #${i}`;
      if (op.kind === 'raw') {
        rawSent = true;
        (socket.io.engine as unknown as { write(p: unknown): void }).write(op.packet);
        await sleep(30);
        continue;
      }
      if (op.kind === 'connect') {
        const c = await openSocket(url, op.auth, o.state.localAddress?.());
        others.push(c.socket);
        const should = isObject(op.auth) && op.auth.token === o.admin;
        if (c.connected !== should) v.push(`${at}: auth ${show(op.auth)} ${c.connected ? 'connected' : `refused (${c.error})`}, expected ${should ? 'connected' : 'refused'}`);
        c.socket.close();
        continue;
      }
      const args = op.args.map((a) => substitute(a, m.lastKey));
      if (size(args) > BIG_MESSAGE) big = true;
      const req = onWire(args[0]);
      const protocol = op.event === 'metric:subscribe' || op.event === 'metric:snapshot';
      // With no request or extra arguments, the listener's `ack` parameter is not the callback: not decided.
      if (op.ack !== 'fn' || !protocol || args.length !== 1) {
        if (op.ack === 'fn') socket.emit(op.event, ...args, () => undefined);
        else if (op.ack === 'value') socket.emit(op.event, ...args, 42);
        else socket.emit(op.event, ...args);
        if (op.event === 'metric:unsubscribe') {
          // Only a plain {key} sent alone surely leaves the room; whether anything else does is the server's choice.
          const plain = isObject(req) && Object.keys(req).length === 1 && typeof req.key === 'string' && req.key.length <= 256;
          if (plain && args.length === 1 && op.ack !== 'value') m.subscribed.delete(req.key as string);
          else m.uncertain = true;
        }
        await sleep(15);
        continue;
      }
      const { replied, reply } = await emitAck(socket, op.event, args);
      if (!socket.connected) break;
      if (!replied) {
        v.push(`${at}: ${op.event} ${show(args)}: no ack within ${ACK_MS} ms`);
        continue;
      }
      if (isError(reply) && statusOfCode((reply as { code: unknown }).code) >= 500) v.push(`${at}: ${op.event} ${show(args)} → a 5xx-coded error ${show(reply)}`);
      if (!isError(reply) && !isSnapshot(reply)) v.push(`${at}: ${op.event} ${show(args)} → neither a snapshot nor an error: ${show(reply)}`);
      if (limited(reply)) continue;
      // A sum past 2^53 − 1 (the fuzzed events hold the largest amounts) is refused with its code, never
      // sent rounded: a refusal of the data, not of the request.
      if (isError(reply) && (reply as { code: unknown }).code === 'RXP_ERR_UNSAFE_INTEGER') {
        if (op.event === 'metric:subscribe' && classifySubscribe(o.catalogue, req).verdict === 'invalid') v.push(`${at}: invalid subscribe ${show(req)} answered ${show(reply)}`);
        continue;
      }
      if (op.event === 'metric:subscribe') {
        const x = classifySubscribe(o.catalogue, req);
        if (x.verdict === 'valid' && !isSnapshot(reply)) v.push(`${at}: valid subscribe ${show(req)} refused: ${show(reply)}`);
        if (x.verdict === 'invalid' && isSnapshot(reply)) v.push(`${at}: invalid subscribe ${show(req)} accepted (${x.names.join(', ') || 'request'}): ${show(reply)}`);
        if (isSnapshot(reply)) {
          m.lastKey = (reply as { key: string }).key;
          m.subscribed.add(m.lastKey);
        }
      } else {
        const key = isObject(req) ? req.key : undefined;
        if (typeof key === 'string' && !m.uncertain) {
          if (m.subscribed.has(key) && !isSnapshot(reply)) v.push(`${at}: snapshot of subscribed key ${show(key)} refused: ${show(reply)}`);
          if (!m.subscribed.has(key) && isSnapshot(reply)) v.push(`${at}: snapshot of a key this socket does not hold ${show(key)}: ${show(reply)}`);
        }
      }
    }
    // Still usable: the same socket, unless the server closed it on purpose (its choice, a garbage packet, a
    // message over the size limit); then a fresh one must work.
    const probe = socket.connected ? await emitAck(socket, 'metric:subscribe', [{ metric: 'sales.gmv' }]) : null;
    if (probe?.replied && isSnapshot(probe.reply)) m.subscribed.add((probe.reply as { key: string }).key);
    if (socket.connected) {
      if (!probe?.replied || !(isSnapshot(probe.reply) || limited(probe.reply))) v.push(`afterwards a normal subscribe on the same socket → ${probe?.replied ? show(probe.reply) : 'no ack'}`);
    } else {
      await sleep(20);
      if (m.reason !== 'io server disconnect' && !rawSent && !big) v.push(`the socket was dropped (${m.reason}) without a garbage packet or an oversized message`);
    }
    if (rawSent || !socket.connected) {
      const fresh = await openSocket(url, { token: o.admin }, o.state.localAddress?.());
      others.push(fresh.socket);
      if (!fresh.connected) v.push(`afterwards a fresh socket does not connect: ${fresh.error}`);
      else {
        const probe = await emitAck(fresh.socket, 'metric:subscribe', [{ metric: 'sales.gmv' }]);
        if (!probe.replied || !(isSnapshot(probe.reply) || limited(probe.reply))) v.push(`afterwards a normal subscribe on a fresh socket → ${probe.replied ? show(probe.reply) : 'no ack'}`);
      }
    }
  } finally {
    for (const s of others) s.close();
  }
  return v;
}
