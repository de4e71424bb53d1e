import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (relative) => fileURLToPath(new URL(relative, import.meta.url));

// Static files that admin serves at GET /; the app calls /v1 on the same origin.
export default defineConfig({
  root: here('.'),
  base: './',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: process.env.DASHBOARD_OUT_DIR || here('../../dist/apps/dashboard'),
    emptyOutDir: true,
    // Served to anyone who opens the page: the bundle alone, no source maps.
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    // `nx serve dashboard` in front of an admin running on :3000.
    proxy: { '/v1': 'http://127.0.0.1:3000' },
  },
});
