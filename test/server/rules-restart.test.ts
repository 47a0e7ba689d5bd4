// A restart in the middle of a rule's time window: the alert fires once, at the right time, whether the server
// stopped gracefully (its last checkpoint written) or died without one (state rebuilt from the events log).
// chDB binds one data directory per process, so this file restarts servers in its own fork.
import { describe, expect, it } from 'vitest';
import { fixedClock, getJson, postEvents, removeDir, startServer, type Running } from '../helpers/server.ts';

const at = (hhmmss: string) => `2026-11-11T${hhmmss}+08:00`;

async function slaAlerts(s: Running, rx: string): Promise<{ alert_id: string; first_seen: string; evidence: string[] }[]> {
  await s.app.rules.idle();
  return ((await getJson(s.url, '/api/v1/alerts?rule=RX_REVIEW_SLA')).body as { entity: string; alert_id: string; first_seen: string; evidence: string[] }[]).filter((a) => a.entity === `rx:${rx}`);
}
const tick = () => new Promise((r) => setTimeout(r, 1_300));

for (const crash of [false, true]) {
  describe(crash ? 'restart after a crash (no last checkpoint)' : 'restart after a graceful stop', () => {
    it('RX_REVIEW_SLA: issued before the restart, fires once at issue + 15 min after it; a second restart does not re-fire', async () => {
      const clock = fixedClock(at('10:00:00'));
      let s = await startServer({ clock });
      const dataDir = s.dataDir;
      try {
        const issued = { event_id: `rs-${crash}-1`, type: 'rx.issued', ts: at('10:00:00'), rx_id: 'R-1', order_id: 'O-1', source: 'upload' };
        expect((await postEvents(s.url, [issued])).status).toBe(200);
        await s.app.rules.idle();
        clock.set(at('10:10:00'));
        await tick();
        if (crash) s.app.rules.stop = async () => {}; // dies: no final checkpoint
        await s.close();

        s = await startServer({ clock, dataDir });
        await s.app.rules.idle();
        clock.set(at('10:14:50'));
        await tick();
        expect(await slaAlerts(s, 'R-1')).toEqual([]);
        clock.set(at('10:15:10'));
        await tick();
        const fired = await slaAlerts(s, 'R-1');
        expect(fired).toHaveLength(1);
        expect(fired[0]).toMatchObject({ first_seen: '2026-11-11T10:15:00.000+08:00', evidence: [issued.event_id] });

        // Fired, then the server goes again (this time possibly before the checkpoint holds the firing).
        if (crash) s.app.rules.stop = async () => {};
        await s.close();
        clock.set(at('10:20:00'));
        s = await startServer({ clock, dataDir });
        await tick();
        const after = await slaAlerts(s, 'R-1');
        expect(after.map((a) => a.alert_id)).toEqual([fired[0].alert_id]);
        const trail = (await getJson(s.url, `/api/v1/alerts/${fired[0].alert_id}`)).body.audit as { action: string }[];
        expect(trail.map((t) => t.action)).toEqual(['opened']);
      } finally {
        await s.close();
        removeDir(dataDir);
      }
    }, 60_000);
  });
}
