// A widget fixture page for browser tests: the widgets bundle built by vite into a temp folder under
// test/.output and served over HTTP on a free port (Chromium loads modules only from http).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { OUTPUT_DIR } from './browser.ts';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

export interface WidgetFixture {
  url: string;
  close(): Promise<void>;
}

/** Builds a page whose <body> is `body`, with every widget registered, and serves it. */
export async function widgetFixture(name: string, body: string, head = ''): Promise<WidgetFixture> {
  await mkdir(join(OUTPUT_DIR, 'widgets-fixture'), { recursive: true });
  const root = await mkdtemp(join(OUTPUT_DIR, `widgets-fixture/${name}-`));
  const src = join(root, 'src');
  const dist = join(root, 'dist');
  await mkdir(src);
  const widgets = relative(src, join(projectRoot, 'widgets/index.ts')).split('\\').join('/');
  await writeFile(join(src, 'main.ts'), `import * as widgets from '${widgets}';\n(window as unknown as { widgets: unknown }).widgets = widgets;\n`);
  await writeFile(
    join(src, 'index.html'),
    `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${name}</title>${head}</head><body>${body}<script type="module" src="./main.ts"></script></body></html>`,
  );
  await build({ root: src, base: './', configFile: false, logLevel: 'warn', build: { outDir: dist, emptyOutDir: true, chunkSizeWarningLimit: 4000 } });
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
    async close() {
      await new Promise((ok) => server.close(ok));
      await rm(root, { recursive: true, force: true });
    },
  };
}
