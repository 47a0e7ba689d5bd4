// Screens as code: files under screens/builtin and screens/custom (JSON or YAML), validated against the one
// declaration (screens/schema.ts) plus what a schema cannot say (known metrics and their params, unique
// widget ids, areas inside the grid and not overlapping). A bad file stops the start with file, path and
// reason; `npm run check-screens` runs the same check without starting. Admins can add or replace a screen
// through the API (same validation), kept in ClickHouse so it survives a restart; open pages reload the
// layout live (`screen:changed` on the socket).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Compile } from 'typebox/compile';
import { parse as parseYaml } from 'yaml';
import { Screen, screenJsonSchema } from '../screens/schema.ts';
import { WIDGET_OPTIONS, type WidgetTag } from '../widgets/options.ts';
import { RxpError } from './errors.ts';
import { describeErrors } from './ingest/validate.ts';
import { checkParams, metricDef } from './metrics/run.ts';
import type { Storage } from './plugins/clickhouse.ts';
import type { DisplayStore } from './displays/store.ts';
import { DISPLAY_OFFLINE } from './displays/presence.ts';
import { RULE_BY_ID } from './rules/index.ts';

export type { Screen, ScreenWidget } from '../screens/schema.ts';

export interface ScreenProblem {
  path: string;
  reason: string;
}

const check = Compile(Screen);
const optionChecks = new Map(Object.entries(WIDGET_OPTIONS).map(([tag, schema]) => [tag, { schema, check: Compile(schema) }]));

/** A screen checked in full, or RXP_ERR_SCREEN_INVALID naming the source, each bad path and its reason. */
export function validateScreen(raw: unknown, source: string): Screen {
  const problems = screenProblems(raw);
  if (problems.length > 0) {
    const detail = problems.map((p) => `${p.path || '(screen)'}: ${p.reason}`).join('; ');
    throw new RxpError('RXP_ERR_SCREEN_INVALID', `${source}: ${detail}`, { source, errors: problems });
  }
  return raw as Screen;
}

export function screenProblems(raw: unknown): ScreenProblem[] {
  if (!check.Check(raw)) return describeErrors(Screen, check, raw).map((e) => ({ path: e.field, reason: e.reason }));
  const screen = raw as Screen;
  const problems: ScreenProblem[] = [];
  if (typeof screen.takeover === 'object') {
    (screen.takeover.rules ?? []).forEach((rule, i) => {
      if (!RULE_BY_ID.has(rule) && rule !== DISPLAY_OFFLINE) problems.push({ path: `takeover.rules[${i}]`, reason: `unknown rule "${rule}"` });
    });
  }
  const ids = new Set<string>();
  const taken = new Map<string, string>();
  screen.widgets.forEach((w, i) => {
    const at = `widgets[${i}]`;
    if (ids.has(w.id)) problems.push({ path: `${at}.id`, reason: `duplicate widget id "${w.id}"` });
    ids.add(w.id);
    const options = optionChecks.get(w.type as WidgetTag)!;
    if (!options.check.Check(w.options ?? {})) {
      for (const e of describeErrors(options.schema, options.check, w.options ?? {})) problems.push({ path: `${at}.options${e.field ? `.${e.field}` : ''}`, reason: e.reason });
    }
    try {
      checkParams(metricDef(w.metric), w.params ?? {});
    } catch (err) {
      const e = err as RxpError;
      const param = (e.body as { param?: string }).param;
      problems.push({ path: param ? `${at}.params.${param}` : `${at}.metric`, reason: e.code === 'RXP_ERR_METRIC_UNKNOWN' ? `unknown metric "${w.metric}"` : e.message });
    }
    const { col, row, colSpan, rowSpan } = w.area;
    if (col + colSpan - 1 > screen.grid.columns) problems.push({ path: `${at}.area`, reason: `reaches column ${col + colSpan - 1} of a ${screen.grid.columns}-column grid` });
    if (row + rowSpan - 1 > screen.grid.rows) problems.push({ path: `${at}.area`, reason: `reaches row ${row + rowSpan - 1} of a ${screen.grid.rows}-row grid` });
    // Cells are only walked inside the grid (at most 48 × 48): an area past it is already reported, and
    // walking it could take the event loop for as long as its numbers are large.
    if (col + colSpan - 1 > screen.grid.columns || row + rowSpan - 1 > screen.grid.rows) return;
    for (let r = row; r < row + rowSpan; r++) {
      for (let c = col; c < col + colSpan; c++) {
        const other = taken.get(`${r}:${c}`);
        if (other && other !== w.id) {
          problems.push({ path: `${at}.area`, reason: `overlaps widget "${other}" at row ${r}, column ${c}` });
          r = Number.POSITIVE_INFINITY; // one report per widget
          break;
        }
        taken.set(`${r}:${c}`, w.id);
      }
    }
  });
  return problems;
}

const SCREEN_FILE = /\.(json|ya?ml)$/i;

function parseFile(path: string, source: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new RxpError('RXP_ERR_SCREEN_INVALID', `${source}: not valid ${extname(path).slice(1).toUpperCase()}: ${(err as Error).message.split('\n')[0]}`, { source, errors: [{ path: '', reason: 'unreadable' }] });
  }
}

/** Every screen file of `dirs` (missing dirs are skipped), validated; the first bad file throws. */
export function loadScreenFiles(dirs: readonly string[], root: string): Map<string, Screen> {
  const screens = new Map<string, Screen>();
  const origin = new Map<string, string>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => SCREEN_FILE.test(f)).sort()) {
      const path = join(dir, file);
      const source = relative(root, path);
      const screen = validateScreen(parseFile(path, source), source);
      const first = origin.get(screen.id);
      if (first) throw new RxpError('RXP_ERR_SCREEN_INVALID', `${source}: id: "${screen.id}" is already defined in ${first}`, { source, errors: [{ path: 'id', reason: 'duplicate screen id' }] });
      origin.set(screen.id, source);
      screens.set(screen.id, screen);
    }
  }
  return screens;
}

/** Screen files plus admin updates (kept in ClickHouse `screens`, newest version per id wins). */
export class ScreenStore {
  private readonly screens: Map<string, Screen>;

  constructor(
    private readonly files: ReadonlyMap<string, Screen>,
    private readonly storage: Storage,
    private readonly onChange: (id: string) => void,
  ) {
    this.screens = new Map(files);
  }

  /** Loads admin updates made before this start; one that no longer validates is skipped with a warning. */
  async load(log: { warn: (o: object, m: string) => void }): Promise<void> {
    const rs = await this.storage.read.query({
      query: `SELECT id, argMax(body, version) AS body, argMax(deleted, version) AS deleted FROM ${this.storage.db}.screens GROUP BY id`,
      format: 'JSONEachRow',
    });
    for (const row of await rs.json<{ id: string; body: string; deleted: number }>()) {
      if (row.deleted) continue;
      try {
        this.screens.set(row.id, validateScreen(JSON.parse(row.body), `stored screen "${row.id}"`));
      } catch (err) {
        log.warn({ err, screen: row.id }, 'stored screen no longer valid; using the file version, if any');
      }
    }
  }

  get(id: string): Screen | undefined {
    return this.screens.get(id);
  }

  list(): Screen[] {
    return [...this.screens.values()];
  }

  isFile(id: string): boolean {
    return this.files.has(id);
  }

  async put(id: string, raw: unknown): Promise<Screen> {
    const body = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? { ...(raw as Record<string, unknown>) } : raw;
    if (typeof body === 'object' && body !== null && (body as { id?: unknown }).id === undefined) (body as Record<string, unknown>).id = id;
    const screen = validateScreen(body, `screen "${id}"`);
    if (screen.id !== id) throw new RxpError('RXP_ERR_SCREEN_INVALID', `screen "${id}": id: must equal the id in the path`, { source: `screen "${id}"`, errors: [{ path: 'id', reason: 'must equal the id in the path' }] });
    await this.write(id, JSON.stringify(screen), 0);
    this.screens.set(id, screen);
    this.onChange(id);
    return screen;
  }

  /** Removes an admin screen; a file screen of that id comes back. */
  async remove(id: string): Promise<void> {
    if (!this.screens.has(id)) throw new RxpError('RXP_ERR_SCREEN_UNKNOWN', `unknown screen "${id}"`);
    await this.write(id, '', 1);
    const file = this.files.get(id);
    if (file) this.screens.set(id, file);
    else this.screens.delete(id);
    this.onChange(id);
  }

  private async write(id: string, body: string, deleted: 0 | 1): Promise<void> {
    await this.storage.write.command({
      query: `INSERT INTO ${this.storage.db}.screens FORMAT JSONEachRow ${JSON.stringify({ id, body, deleted, version: Date.now() * 1000 + (counter++ % 1000) })}`,
    });
  }
}
let counter = 0;

export async function screenRoutes(app: FastifyInstance, opts: { store: ScreenStore; displays: DisplayStore; buildDir: string; tz: string }): Promise<void> {
  const { store } = opts;
  app.get('/api/v1/schema/screen.json', { config: { right: 'public' } }, async () => screenJsonSchema());
  app.get('/api/v1/screens', { config: { right: 'read' } }, async () =>
    store.list().map((s) => ({ id: s.id, title: s.title, widgets: s.widgets.map((w) => ({ id: w.id, type: w.type, metric: w.metric })) })),
  );
  app.get<{ Params: { id: string } }>('/api/v1/screens/:id', { config: { right: 'read', display: true } }, async (req) => {
    // A wall's display token reads the screens it shows, no other.
    const display = req.principal?.display;
    if (display) {
      const d = opts.displays.get(display);
      if (!d || !opts.displays.screensOf(d).includes(req.params.id)) throw new RxpError('RXP_ERR_AUTH_FORBIDDEN', 'a display reads only the screens it shows');
    }
    const screen = store.get(req.params.id);
    if (!screen) throw new RxpError('RXP_ERR_SCREEN_UNKNOWN', `unknown screen "${req.params.id}"`);
    // The page draws clocks and days in the business zone, whatever the zone of the display machine.
    return { ...screen, tz: opts.tz };
  });
  app.put<{ Params: { id: string } }>('/api/v1/screens/:id', { config: { right: 'admin' } }, async (req) => {
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(req.params.id)) throw new RxpError('RXP_ERR_SCREEN_INVALID', `screen id "${req.params.id}": must match ^[a-z0-9][a-z0-9-]{0,62}$`, { errors: [{ path: 'id', reason: 'bad id' }] });
    return store.put(req.params.id, req.body);
  });
  app.delete<{ Params: { id: string } }>('/api/v1/screens/:id', { config: { right: 'admin' } }, async (req, reply) => {
    await store.remove(req.params.id);
    return reply.status(204).send();
  });
  // The pages are public: they hold no data; they authenticate their API and socket with their token.
  const page = (reply: FastifyReply) => {
    const index = join(opts.buildDir, 'index.html');
    if (!existsSync(index)) throw new RxpError('RXP_ERR_INTERNAL', 'the screens are not built: run `npm run build`');
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(readFileSync(index));
  };
  app.get<{ Params: { id: string } }>('/screens/:id', { config: { right: 'public' } }, async (req, reply) => {
    if (!store.get(req.params.id)) throw new RxpError('RXP_ERR_SCREEN_UNKNOWN', `unknown screen "${req.params.id}"`);
    return page(reply);
  });
  // A wall with no token: pairs by code, then shows what it is set to (screens/runtime/rx-display.ts).
  app.get('/display', { config: { right: 'public' } }, async (_req, reply) => page(reply));
}
