// Heartbeats per socket: each socket learns the seqs of its own subscriptions only (not which metrics and
// params other screens watch, and not 1,000 keys a heartbeat when it shows 10). Sockets holding the same
// rooms (in the same order: the screens of one layout) share one payload, so the cost is one encode per
// distinct screen rather than per socket. Connections with a backlog skip it, like updates (guard.ts).
import type { Server } from 'socket.io';
import { backlogOf, closeForLimits, HARD_BACKLOG, MAX_BACKLOG } from './guard.ts';
import type { ClientToServerEvents, Heartbeat, ServerToClientEvents } from './protocol.ts';

type IoServer = Server<ClientToServerEvents, ServerToClientEvents>;

/** The hub's whole view at a heartbeat: every subscription's seq, and those not confirmed. In a fleet the
 *  leader sends it to the other instances (serverSideEmit), each of which fans it out to its own sockets. */
export interface HubBeat {
  as_of: string;
  seqs: Record<string, number>;
  pending: string[];
}

export const HEARTBEAT_EVENT = 'hub:heartbeat';

/** Sends each local socket the part of `beat` about its own rooms; returns the number of distinct payloads. */
export function fanOutHeartbeat(io: IoServer, beat: HubBeat): number {
  const seqs = new Map(Object.entries(beat.seqs ?? {}));
  const pending = new Set(Array.isArray(beat.pending) ? beat.pending : []);
  const groups = new Map<string, { keys: string[]; ids: string[] }>();
  for (const [id, socket] of io.of('/').sockets) {
    const queued = backlogOf(socket);
    if (queued > HARD_BACKLOG) {
      // Stopped reading long ago: closed (its screen reconnects and resubscribes when it reads again).
      closeForLimits(socket);
      continue;
    }
    if (queued > MAX_BACKLOG) continue;
    const keys: string[] = [];
    for (const room of socket.rooms) if (room.startsWith('m:')) keys.push(room.slice(2));
    const signature = keys.join('\n');
    const g = groups.get(signature);
    if (g) g.ids.push(id);
    else groups.set(signature, { keys, ids: [id] });
  }
  for (const { keys, ids } of groups.values()) {
    const hb: Heartbeat = { as_of: beat.as_of, seqs: {}, pending: [] };
    for (const key of keys) {
      const seq = seqs.get(key);
      // A room the hub has no value for yet (a fleet's new subscription) is listed as pending: never confirmed.
      if (seq === undefined) hb.pending.push(key);
      else {
        hb.seqs[key] = seq;
        if (pending.has(key)) hb.pending.push(key);
      }
    }
    io.local.to(ids).emit('hub:heartbeat', hb);
  }
  return groups.size;
}
