// Which walls are alive (CONTRACT "Displays": `online`, `last_seen`, `version`, `screen_size`, `data_age_s`):
// each paired wall reports every 30 s over its socket; one silent for 2 minutes with no socket open is
// offline. A wall that goes offline during business hours raises DISPLAY_OFFLINE (minor, entity
// `display:<id>`): walls going dark in a war room is an incident.
import type { DisplayReport } from '../push/protocol.ts';
import type { Clock } from '../time.ts';
import { localClock } from '../../screens/playlist.ts';

export const ONLINE_MS = 120_000;
/** The alert of a wall gone dark (not one of DOMAIN's twelve rules: raised by the display fleet). */
export const DISPLAY_OFFLINE = 'DISPLAY_OFFLINE';

interface Seen {
  lastSeen: number;
  sockets: number;
  report: DisplayReport | null;
  /** DISPLAY_OFFLINE was raised for the current silence. */
  alerted: boolean;
}

export interface PresenceView {
  online: boolean;
  last_seen: string | null;
  version: string | null;
  screen_size: { width: number; height: number } | null;
  data_age_s: number | null;
  fps: number | null;
  heap_bytes: number | null;
  uptime_s: number | null;
  current_screen: string | null;
}

export class DisplayPresence {
  private readonly seen = new Map<string, Seen>();

  constructor(private readonly clock: Clock) {}

  private entry(id: string): Seen {
    let s = this.seen.get(id);
    if (!s) this.seen.set(id, (s = { lastSeen: 0, sockets: 0, report: null, alerted: false }));
    return s;
  }

  connected(id: string): void {
    const s = this.entry(id);
    s.sockets++;
    s.lastSeen = this.clock.now();
    s.alerted = false;
  }

  disconnected(id: string): void {
    const s = this.entry(id);
    s.sockets = Math.max(0, s.sockets - 1);
    s.lastSeen = this.clock.now();
  }

  report(id: string, r: DisplayReport): void {
    const s = this.entry(id);
    s.report = r;
    s.lastSeen = this.clock.now();
    s.alerted = false;
  }

  /** What another instance heard from a wall (fleet.ts): taken where newer than what this one knows. */
  absorb(id: string, lastSeen: number, report: DisplayReport | null): void {
    const s = this.entry(id);
    if (lastSeen <= s.lastSeen) return;
    if (s.alerted && this.clock.now() - lastSeen < ONLINE_MS) s.alerted = false;
    s.lastSeen = lastSeen;
    if (report) s.report = report;
  }

  forget(id: string): void {
    this.seen.delete(id);
  }

  view(id: string): PresenceView {
    const s = this.seen.get(id);
    const r = s?.report ?? null;
    return {
      online: s !== undefined && this.isOnline(s),
      last_seen: s && s.lastSeen > 0 ? new Date(s.lastSeen).toISOString() : null,
      version: r?.version ?? null,
      screen_size: r?.screen_size ?? null,
      data_age_s: r?.data_age_s ?? null,
      fps: r?.fps ?? null,
      heap_bytes: r?.heap_bytes ?? null,
      uptime_s: r?.uptime_s ?? null,
      current_screen: r?.screen_id ?? null,
    };
  }

  private isOnline(s: Seen): boolean {
    return s.sockets > 0 || this.clock.now() - s.lastSeen < ONLINE_MS;
  }

  /** Displays seen before that have now been silent for ONLINE_MS, each once per silence. */
  newlyOffline(): { id: string; since: number }[] {
    const out: { id: string; since: number }[] = [];
    for (const [id, s] of this.seen) {
      if (s.alerted || s.lastSeen === 0 || this.isOnline(s)) continue;
      s.alerted = true;
      out.push({ id, since: s.lastSeen });
    }
    return out;
  }
}

/** Business hours ("08:00-22:00" in TZ_BUSINESS; a span across midnight too): is `ms` inside? */
export function inBusinessHours(ms: number, tz: string, hours: string): boolean {
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/.exec(hours);
  if (!m) return true;
  const from = Number(m[1]) * 60 + Number(m[2]);
  const to = Number(m[3]) * 60 + Number(m[4]);
  const { minute } = localClock(ms, tz);
  return from <= to ? minute >= from && minute < to : minute >= from || minute < to;
}
