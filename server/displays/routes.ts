// The display API (CONTRACT "Displays"): pairing, the fleet, moving and reloading walls, revoking them, and
// playlists. Admin only, but GET /api/v1/displays/self, which a wall reads with its own display token.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { RxpError } from '../errors.ts';
import { displayRoom, type IoServer } from '../plugins/io.ts';
import type { AlertStore } from '../rules/alerts.ts';
import type { Clock } from '../time.ts';
import { deliverToken, type CodeRegistry } from './pairing.ts';
import { DISPLAY_OFFLINE, DisplayPresence, inBusinessHours } from './presence.ts';
import type { Display, DisplayStore } from './store.ts';

const Name = Type.String({ minLength: 1, maxLength: 100, description: 'what people call the wall (仓库走廊 TV)' });
const Id = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' });
const Target = { screen_id: Type.Optional(Id), playlist_id: Type.Optional(Id) };
const PairBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 16 }), name: Name, ...Target }, { additionalProperties: false });
const PatchBody = Type.Object({ name: Type.Optional(Name), ...Target }, { additionalProperties: false, minProperties: 1 });
const DisplayParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const PlaylistParams = Type.Object({ id: Id });

export interface DisplayRouteOptions {
  store: DisplayStore;
  presence: DisplayPresence;
  codes: CodeRegistry;
  io: IoServer;
  alerts: AlertStore;
  clock: Clock;
  tz: string;
  businessHours: string;
  /** Tells the other instances of a fleet that displays or playlists changed (they reload). */
  changed(): Promise<void> | void;
  /** In a fleet: takes in what the fronts heard from walls (before a list, and before the offline check). */
  refreshPresence?: () => Promise<void>;
  /** In a fleet: forgets a revoked wall's presence record. */
  forgetPresence?: (id: string) => Promise<void>;
}

export async function displayRoutes(app: FastifyInstance, o: DisplayRouteOptions): Promise<void> {
  const { store, presence, io } = o;
  const view = (d: Display) => {
    const p = presence.view(d.display_id);
    return { display_id: d.display_id, name: d.name, screen_id: d.screen_id, playlist_id: d.playlist_id, online: p.online, last_seen: p.last_seen, version: p.version, screen_size: p.screen_size, data_age_s: p.data_age_s, fps: p.fps, heap_bytes: p.heap_bytes, uptime_s: p.uptime_s, current_screen: p.current_screen };
  };
  const tell = async (d: Display) => {
    await o.changed();
    io.to(displayRoom(d.display_id)).emit('display:changed', { display_id: d.display_id });
  };

  app.post<{ Body: Static<typeof PairBody> }>('/api/v1/displays', { config: { right: 'admin' }, schema: { body: PairBody } }, async (req, reply) => {
    const { code, name, screen_id, playlist_id } = req.body;
    const normalized = code.trim().toUpperCase();
    // The target is checked before the code is taken: a typo in the screen id leaves the wall its code.
    store.checkTarget({ screen_id, playlist_id });
    if (!(await o.codes.take(normalized))) throw new RxpError('RXP_ERR_NOT_FOUND', 'unknown or expired pairing code');
    const { display, token } = await store.create(name, { screen_id, playlist_id });
    await o.changed();
    deliverToken(io, normalized, { token, display_id: display.display_id });
    return reply.status(201).send(display.screen_id ? { display_id: display.display_id, name: display.name, screen_id: display.screen_id } : { display_id: display.display_id, name: display.name, playlist_id: display.playlist_id });
  });

  app.get('/api/v1/displays', { config: { right: 'admin' } }, async () => {
    await o.refreshPresence?.();
    return store.list().map(view);
  });

  // A wall's own configuration: what it shows (with its playlist) and the business time zone.
  app.get('/api/v1/displays/self', { config: { right: 'read', display: true } }, async (req) => {
    const id = req.principal?.display;
    const d = id ? store.get(id) : undefined;
    if (!d) throw new RxpError('RXP_ERR_AUTH_FORBIDDEN', 'only a display token has a display');
    return { display_id: d.display_id, name: d.name, screen_id: d.screen_id, playlist_id: d.playlist_id, playlist: d.playlist_id ? (store.getPlaylist(d.playlist_id) ?? null) : null, tz: o.tz };
  });

  app.patch<{ Params: Static<typeof DisplayParams>; Body: Static<typeof PatchBody> }>('/api/v1/displays/:id', { config: { right: 'admin' }, schema: { params: DisplayParams, body: PatchBody } }, async (req) => {
    const d = await store.update(req.params.id, req.body);
    await tell(d);
    return view(d);
  });

  app.post<{ Params: Static<typeof DisplayParams> }>('/api/v1/displays/:id/reload', { config: { right: 'admin' }, schema: { params: DisplayParams } }, async (req, reply) => {
    const d = store.get(req.params.id);
    if (!d) throw new RxpError('RXP_ERR_NOT_FOUND', `unknown display "${req.params.id}"`);
    io.to(displayRoom(d.display_id)).emit('display:reload', { display_id: d.display_id });
    return reply.status(202).send({ display_id: d.display_id });
  });

  app.delete<{ Params: Static<typeof DisplayParams> }>('/api/v1/displays/:id', { config: { right: 'admin' }, schema: { params: DisplayParams } }, async (req, reply) => {
    await store.revoke(req.params.id);
    presence.forget(req.params.id);
    await o.forgetPresence?.(req.params.id);
    // Every instance refuses the token first; then, on every instance (the adapter carries it), the wall's
    // sockets close; it finds its token refused and shows a new pairing code.
    await o.changed();
    io.in(displayRoom(req.params.id)).disconnectSockets(true);
    return reply.status(204).send();
  });

  app.get('/api/v1/playlists', { config: { right: 'admin' } }, async () => store.listPlaylists().map(({ id, playlist }) => ({ id, ...playlist })));
  app.get<{ Params: Static<typeof PlaylistParams> }>('/api/v1/playlists/:id', { config: { right: 'admin' }, schema: { params: PlaylistParams } }, async (req) => {
    const p = store.getPlaylist(req.params.id);
    if (!p) throw new RxpError('RXP_ERR_NOT_FOUND', `unknown playlist "${req.params.id}"`);
    return { id: req.params.id, ...p };
  });
  app.put<{ Params: Static<typeof PlaylistParams> }>('/api/v1/playlists/:id', { config: { right: 'admin' }, schema: { params: PlaylistParams } }, async (req) => {
    const p = await store.putPlaylist(req.params.id, req.body);
    await o.changed();
    for (const d of store.list()) if (d.playlist_id === req.params.id) io.to(displayRoom(d.display_id)).emit('display:changed', { display_id: d.display_id });
    return { id: req.params.id, ...p };
  });
  app.delete<{ Params: Static<typeof PlaylistParams> }>('/api/v1/playlists/:id', { config: { right: 'admin' }, schema: { params: PlaylistParams } }, async (req, reply) => {
    await store.removePlaylist(req.params.id);
    await o.changed();
    return reply.status(204).send();
  });

  // Walls that went dark during business hours: DISPLAY_OFFLINE (minor), once per silence.
  const timer = setInterval(async () => {
    await o.refreshPresence?.().catch(() => undefined);
    for (const { id, since } of presence.newlyOffline()) {
      const d = store.get(id);
      if (!d || !inBusinessHours(o.clock.now(), o.tz, o.businessHours)) continue;
      o.alerts.fire(DISPLAY_OFFLINE, 'minor', { entity: `display:${id}`, evidence: [], atMs: since, detail: { name: d.name, screen_id: d.screen_id, playlist_id: d.playlist_id } });
      o.alerts.scheduleFlush();
    }
  }, 5_000);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
