import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * In development the dashboard API lives on another port: proxy it so the app keeps one origin (the
 * session cookie is SameSite=Strict and `/ws` checks Origin). `LOOKOUT_DEV_API` points elsewhere,
 * e.g. `http://127.0.0.1:21436` for a demo on other ports.
 */
const api = process.env.LOOKOUT_DEV_API ?? 'http://127.0.0.1:11436';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    host: '127.0.0.1',
    port: Number(process.env.LOOKOUT_DEV_PORT ?? 5173),
    strictPort: true,
    proxy: {
      '/api': { target: api },
      '/metrics': { target: api },
      '/healthz': { target: api },
      // No changeOrigin: the server compares Origin with Host, both the dev server's here.
      '/ws': { target: api, ws: true },
    },
  },
});
