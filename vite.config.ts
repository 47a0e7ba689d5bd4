import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// The screens app: one page (screens/index.html) that renders any screen id.
// Built into public/build (git-ignored); the server serves it at /build/ and /screens/{id}.
// Regenerate with `npm run build`.
export default defineConfig({
  root: 'screens',
  base: '/build/',
  publicDir: false,
  // The version a paired wall reports (GET /api/v1/displays).
  define: { __RXPULSE_VERSION__: JSON.stringify(version) },
  build: {
    outDir: '../public/build',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2500,
  },
});
