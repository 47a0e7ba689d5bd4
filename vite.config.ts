import { defineConfig } from 'vite';

// The screens app: one page (screens/index.html) that renders any screen id.
// Built into public/build (git-ignored); the server serves it at /build/ and /screens/{id}.
// Regenerate with `npm run build`.
export default defineConfig({
  root: 'screens',
  base: '/build/',
  publicDir: false,
  build: {
    outDir: '../public/build',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2500,
  },
});
