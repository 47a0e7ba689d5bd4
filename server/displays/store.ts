// Displays and playlists (CONTRACT "Displays"): a wall paired by code holds a display token, stored only as
// its SHA-256, that reads exactly the (metric, params) of the screens it shows and writes nothing. Both are
// kept in ClickHouse (`displays`, `playlists`: newest version per id wins) and in memory; every instance of a
// fleet reloads them when one changes them (server/displays/routes.ts tells the others).
//
// A wall's reports (every 30 s over its socket) are kept in memory by the instance it is connected to; in a
// fleet the instances share them through Redis (see fleet reports in routes.ts).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Compile } from 'typebox/compile';
import { playlistScreens, Playlist } from '../../screens/playlist.ts';
import { RxpError } from '../errors.ts';
import { describeErrors } from '../ingest/validate.ts';
import type { Storage } from '../plugins/clickhouse.ts';
import { checkParams, metricDef, subscriptionKey } from '../metrics/run.ts';
import type { ScreenStore } from '../screens.ts';
import { chTime } from '../store/projections.ts';
import type { Clock } from '../time.ts';

export interface Display {
  display_id: string;
  name: string;
  screen_id: string | null;
  playlist_id: string | null;
  created_at: number;
}

interface StoredDisplay extends Display {
  token_hash: string;
}

export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');
/** The metric a screen with `takeover` watches besides its widgets (screens/runtime/rx-screen.ts). */
const TAKEOVER_METRIC = 'alerts.open';
const checkPlaylist = Compile(Playlist);
let counter = 0;
const version = (): number => Date.now() * 1000 + (counter++ % 1000);

export class DisplayStore {
  private readonly displays = new Map<string, StoredDisplay>();
  private readonly byHash = new Map<string, StoredDisplay>();
  private readonly playlists = new Map<string, Playlist>();
  /** (metric, params) keys each display may read: computed when first asked, dropped on any change. */
  private readonly scopes = new Map<string, Set<string>>();

  constructor(
    private readonly storage: Storage,
    private readonly screens: ScreenStore,
    private readonly clock: Clock,
  ) {}

  /** (Re)reads every display and playlist (at start, and when another instance changed one). */
  async load(): Promise<void> {
    const db = this.storage.db;
    const ds = await (
      await this.storage.read.query({
        query: `SELECT display_id, argMax(name, version) AS name, argMax(screen_id, version) AS screen_id, argMax(playlist_id, version) AS playlist_id,
                       argMax(token_hash, version) AS token_hash, toUnixTimestamp64Milli(min(created_at)) AS created_ms, argMax(revoked, version) AS revoked
                FROM ${db}.displays GROUP BY display_id`,
        format: 'JSONEachRow',
      })
    ).json<{ display_id: string; name: string; screen_id: string; playlist_id: string; token_hash: string; created_ms: string; revoked: number }>();
    const ps = await (
      await this.storage.read.query({ query: `SELECT id, argMax(body, version) AS body, argMax(deleted, version) AS deleted FROM ${db}.playlists GROUP BY id`, format: 'JSONEachRow' })
    ).json<{ id: string; body: string; deleted: number }>();
    this.displays.clear();
    this.byHash.clear();
    for (const d of ds) {
      if (d.revoked) continue;
      this.remember({ display_id: d.display_id, name: d.name, screen_id: d.screen_id || null, playlist_id: d.playlist_id || null, token_hash: d.token_hash, created_at: Number(d.created_ms) });
    }
    this.playlists.clear();
    for (const p of ps) if (!p.deleted) this.playlists.set(p.id, JSON.parse(p.body) as Playlist);
    this.scopes.clear();
  }

  private remember(d: StoredDisplay): void {
    const old = this.displays.get(d.display_id);
    if (old) this.byHash.delete(old.token_hash);
    this.displays.set(d.display_id, d);
    this.byHash.set(d.token_hash, d);
    this.scopes.delete(d.display_id);
  }

  /** The display a token belongs to (constant-time enough: a hash lookup of a 256-bit random token). */
  byToken(token: string): Display | undefined {
    return this.byHash.get(tokenHash(token));
  }

  get(id: string): Display | undefined {
    return this.displays.get(id);
  }

  list(): Display[] {
    return [...this.displays.values()].sort((a, b) => a.created_at - b.created_at || (a.display_id < b.display_id ? -1 : 1));
  }

  /** Checks a screen or playlist target: exactly one, and it must exist. */
  checkTarget(t: { screen_id?: string | null; playlist_id?: string | null }): { screen_id: string | null; playlist_id: string | null } {
    const screen = t.screen_id ?? null;
    const playlist = t.playlist_id ?? null;
    if ((screen === null) === (playlist === null)) throw invalid('screen_id', 'name exactly one of screen_id and playlist_id');
    if (screen !== null && !this.screens.get(screen)) throw new RxpError('RXP_ERR_SCREEN_UNKNOWN', `unknown screen "${screen}"`);
    if (playlist !== null && !this.playlists.has(playlist)) throw new RxpError('RXP_ERR_NOT_FOUND', `unknown playlist "${playlist}"`);
    return { screen_id: screen, playlist_id: playlist };
  }

  /** A new display and its token (returned once, to be sent to the wall only). */
  async create(name: string, t: { screen_id?: string | null; playlist_id?: string | null }): Promise<{ display: Display; token: string }> {
    const target = this.checkTarget(t);
    const token = `rxd_${randomBytes(32).toString('base64url')}`;
    const d: StoredDisplay = { display_id: randomUUID(), name, ...target, token_hash: tokenHash(token), created_at: this.clock.now() };
    await this.write(d, 0);
    this.remember(d);
    return { display: publicView(d), token };
  }

  async update(id: string, patch: { name?: string; screen_id?: string | null; playlist_id?: string | null }): Promise<Display> {
    const d = this.displays.get(id);
    if (!d) throw new RxpError('RXP_ERR_NOT_FOUND', `unknown display "${id}"`);
    const moves = patch.screen_id !== undefined || patch.playlist_id !== undefined;
    const next: StoredDisplay = { ...d, name: patch.name ?? d.name, ...(moves ? this.checkTarget(patch) : {}) };
    await this.write(next, 0);
    this.remember(next);
    return publicView(next);
  }

  async revoke(id: string): Promise<void> {
    const d = this.displays.get(id);
    if (!d) throw new RxpError('RXP_ERR_NOT_FOUND', `unknown display "${id}"`);
    await this.write(d, 1);
    this.displays.delete(id);
    this.byHash.delete(d.token_hash);
    this.scopes.delete(id);
  }

  private async write(d: StoredDisplay, revoked: 0 | 1): Promise<void> {
    const row = { display_id: d.display_id, name: d.name, screen_id: d.screen_id ?? '', playlist_id: d.playlist_id ?? '', token_hash: d.token_hash, created_at: chTime(d.created_at), revoked, version: version() };
    await this.storage.write.insert({ table: `${this.storage.db}.displays`, values: [row], format: 'JSONEachRow' });
  }

  // --- playlists ---------------------------------------------------------------------------------------

  getPlaylist(id: string): Playlist | undefined {
    return this.playlists.get(id);
  }

  listPlaylists(): { id: string; playlist: Playlist }[] {
    return [...this.playlists].map(([id, playlist]) => ({ id, playlist })).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  async putPlaylist(id: string, raw: unknown): Promise<Playlist> {
    if (!checkPlaylist.Check(raw)) {
      const errors = describeErrors(Playlist, checkPlaylist, raw).map((e) => ({ path: e.field, reason: e.reason }));
      throw new RxpError('RXP_ERR_BAD_REQUEST', `playlist "${id}": ${errors.map((e) => `${e.path || '(playlist)'}: ${e.reason}`).join('; ')}`, { errors });
    }
    const p = raw as Playlist;
    const unknown = playlistScreens(p).filter((s) => !this.screens.get(s));
    if (unknown.length) throw new RxpError('RXP_ERR_SCREEN_UNKNOWN', `playlist "${id}": unknown screen "${unknown[0]}"`, { errors: unknown.map((s) => ({ path: 'items', reason: `unknown screen "${s}"` })) });
    await this.storage.write.insert({ table: `${this.storage.db}.playlists`, values: [{ id, body: JSON.stringify(p), deleted: 0, version: version() }], format: 'JSONEachRow' });
    this.playlists.set(id, p);
    this.scopes.clear();
    return p;
  }

  async removePlaylist(id: string): Promise<void> {
    if (!this.playlists.has(id)) throw new RxpError('RXP_ERR_NOT_FOUND', `unknown playlist "${id}"`);
    const users = this.list().filter((d) => d.playlist_id === id);
    if (users.length) throw new RxpError('RXP_ERR_BAD_REQUEST', `playlist "${id}" is shown by ${users.length} display(s): move them first`, { errors: [{ path: 'id', reason: `shown by ${users.map((d) => d.name).join(', ')}` }] });
    await this.storage.write.insert({ table: `${this.storage.db}.playlists`, values: [{ id, body: '', deleted: 1, version: version() }], format: 'JSONEachRow' });
    this.playlists.delete(id);
    this.scopes.clear();
  }

  // --- scope -------------------------------------------------------------------------------------------

  /** Screens a display may show: its screen, or every screen of its playlist (rotation and schedule). */
  screensOf(d: Display): string[] {
    if (d.screen_id) return [d.screen_id];
    const p = d.playlist_id ? this.playlists.get(d.playlist_id) : undefined;
    return p ? playlistScreens(p) : [];
  }

  /** May display `id` read subscription `key` (a metric with its checked params)? */
  allows(id: string, key: string): boolean {
    return this.scopeOf(id).has(key);
  }

  /** The (metric, params) keys display `id` may read: its screens' widgets, and `alerts.open` for a takeover. */
  private scopeOf(id: string): Set<string> {
    let scope = this.scopes.get(id);
    if (!scope) {
      scope = new Set();
      const d = this.displays.get(id);
      for (const sid of d ? this.screensOf(d) : []) {
        const screen = this.screens.get(sid);
        if (!screen) continue;
        for (const w of screen.widgets) scope.add(keyOf(w.metric, w.params ?? {}));
        if (screen.takeover) scope.add(keyOf(TAKEOVER_METRIC, {}));
      }
      if (d) this.scopes.set(id, scope);
    }
    return scope;
  }

  /** Every display's token hash with its scope (a fleet's fronts admit and check walls with it: fleet.ts). */
  directory(): { token_hash: string; display_id: string; keys: string[] }[] {
    return [...this.displays.values()].map((d) => ({ token_hash: d.token_hash, display_id: d.display_id, keys: [...this.scopeOf(d.display_id)] }));
  }

  /** Screens changed (admin API): scopes are computed again. */
  screensChanged(): void {
    this.scopes.clear();
  }
}

function keyOf(metric: string, params: Record<string, unknown>): string {
  const def = metricDef(metric);
  return subscriptionKey(def.id, checkParams(def, params));
}

function publicView(d: StoredDisplay): Display {
  return { display_id: d.display_id, name: d.name, screen_id: d.screen_id, playlist_id: d.playlist_id, created_at: d.created_at };
}

function invalid(field: string, reason: string): RxpError {
  return new RxpError('RXP_ERR_BAD_REQUEST', `${field}: ${reason}`, { errors: [{ path: field, reason }] });
}
