import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// The browser app. `npm run build` writes web/dist, which the server serves at `/` (SPA fallback).
// During development `npx vite --config web/vite.config.ts` proxies the API to a running server.
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // The Natural Earth base map (world-atlas 1:50m) is one JSON chunk of ~750 kB, loaded only with a map.
    chunkSizeWarningLimit: 900,
  },
  server: {
    proxy: { '/api': process.env.VIGIL_API ?? 'http://127.0.0.1:8080' },
  },
});
