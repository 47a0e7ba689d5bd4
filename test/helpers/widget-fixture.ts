// A widget fixture page for browser tests: the widgets bundle built by vite into a temp folder under
// test/.output and served over HTTP on a free port (Chromium loads modules only from http).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { OUTPUT_DIR, launchChromium, watchErrors } from './browser.ts';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

export interface WidgetFixture {
  url: string;
  /** The built page and its assets (for bundle size checks). */
  dist: string;
  close(): Promise<void>;
}

/**
 * Builds a page whose <body> is `body` (and whose <head> ends with `head`) and serves it. By default every
 * widget is registered through widgets/index.ts and exposed as `window.widgets`; `modules` (e.g.
 * `['rx-map', 'rx-band']`) imports only those widget files, so the bundle holds only what they need.
 */
export async function widgetFixture(name: string, body: string, head = '', modules?: readonly string[]): Promise<WidgetFixture> {
  await mkdir(join(OUTPUT_DIR, 'widgets-fixture'), { recursive: true });
  const root = await mkdtemp(join(OUTPUT_DIR, `widgets-fixture/${name}-`));
  const src = join(root, 'src');
  const dist = join(root, 'dist');
  await mkdir(src);
  const widget = (file: string): string => relative(src, join(projectRoot, 'widgets', file)).split('\\').join('/');
  const main = modules
    ? modules.map((m) => `import '${widget(`${m}.ts`)}';\n`).join('')
    : `import * as widgets from '${widget('index.ts')}';\n(window as unknown as { widgets: unknown }).widgets = widgets;\n`;
  await writeFile(join(src, 'main.ts'), main);
  await writeFile(
    join(src, 'index.html'),
    `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${name}</title>${head}</head><body>${body}<script type="module" src="./main.ts"></script></body></html>`,
  );
  await build({ root: src, base: './', configFile: false, logLevel: 'warn', build: { outDir: dist, emptyOutDir: true, chunkSizeWarningLimit: 4000, minify: process.env.FIXTURE_MINIFY !== 'false' } });
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = resolve(dist, `.${path === '/' ? '/index.html' : path}`);
    if (!file.startsWith(dist)) return void res.writeHead(403).end();
    readFile(file).then(
      (data) => res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(data),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    dist,
    async close() {
      await new Promise((ok) => server.close(ok));
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * Detaches `#id`, puts it back at the `where` end of its parent, sets `props`, waits `waitMs` and counts
 * `selector` in its shadow root (-1 without one): a widget rebuilds what it draws on reattach, never twice.
 */
export function reattachAndCount(page: Page, id: string, where: 'prepend' | 'append', props: Record<string, unknown>, selector: string, waitMs: number): Promise<number> {
  return page.evaluate(
    async ({ id, where, props, selector, waitMs }) => {
      const el = document.getElementById(id) as HTMLElement;
      const parent = el.parentElement as HTMLElement;
      el.remove();
      parent[where](el);
      Object.assign(el, props);
      await new Promise((ok) => setTimeout(ok, waitMs));
      return el.shadowRoot?.querySelectorAll(selector).length ?? -1;
    },
    { id, where, props, selector, waitMs },
  );
}

/**
 * Chromium at 1920×1080 on `url`, in a zone far from the business zone (America/New_York: clock times and
 * axes must not follow the browser), with its console and page errors collected in `errors`.
 */
export async function openWidgetPage(url: string): Promise<{ browser: Browser; page: Page; errors: string[] }> {
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, timezoneId: 'America/New_York' });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(url);
  return { browser, page, errors };
}
