// Screen definitions (screens/builtin/*.json) and the routes that list them and serve the screen page.
// The config-as-code schema and admin updates come with the screens work; today a screen is a layout of
// widgets, each bound to one metric subscription.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { RxpError } from './errors.ts';

export interface ScreenWidget {
  id: string;
  type: string;
  area: { col: number; row: number; colSpan: number; rowSpan: number };
  label: Record<string, string>;
  metric: string;
  params?: Record<string, unknown>;
  options: Record<string, unknown>;
}

export interface Screen {
  id: string;
  title: Record<string, string>;
  theme: string;
  grid: { columns: number; rows: number };
  widgets: ScreenWidget[];
}

export function loadScreens(dir: string): Map<string, Screen> {
  const screens = new Map<string, Screen>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const screen = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Screen;
    screens.set(screen.id, screen);
  }
  return screens;
}

export async function screenRoutes(app: FastifyInstance, opts: { screens: Map<string, Screen>; buildDir: string; tz: string }): Promise<void> {
  app.get('/api/v1/screens', { config: { right: 'read' } }, async () =>
    [...opts.screens.values()].map((s) => ({ id: s.id, title: s.title, widgets: s.widgets.map((w) => ({ id: w.id, type: w.type, metric: w.metric })) })),
  );
  app.get<{ Params: { id: string } }>('/api/v1/screens/:id', { config: { right: 'read' } }, async (req) => {
    const screen = opts.screens.get(req.params.id);
    if (!screen) throw new RxpError('RXP_ERR_SCREEN_UNKNOWN', `unknown screen "${req.params.id}"`);
    // The page draws clocks and days in the business zone, whatever the zone of the display machine.
    return { ...screen, tz: opts.tz };
  });
  // The page itself is public: it holds no data; it authenticates its API and socket with its token.
  app.get<{ Params: { id: string } }>('/screens/:id', async (req, reply) => {
    if (!opts.screens.has(req.params.id)) throw new RxpError('RXP_ERR_SCREEN_UNKNOWN', `unknown screen "${req.params.id}"`);
    const index = join(opts.buildDir, 'index.html');
    if (!existsSync(index)) throw new RxpError('RXP_ERR_INTERNAL', 'the screens are not built: run `npm run build`');
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(readFileSync(index));
  });
}
