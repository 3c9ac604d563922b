import react from '@vitejs/plugin-react'
import { defineConfig } from 'vitest/config'

// The Go server (`numo serve`, default :8080) owns /query (HTTP and websocket), /api and
// /healthz; in development Vite forwards them so the app runs on one origin, as in production.
// The Host header is passed on unchanged (no changeOrigin): the server refuses a cookie-borne
// write, and a websocket, whose Origin is not the host it was sent to (CSRF protection).
const backend = process.env.NUMO_BACKEND ?? 'http://localhost:8080'

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/query': { target: backend, ws: true },
      '/api': { target: backend },
      '/healthz': { target: backend },
    },
  },
  build: {
    // Only the hashed files under assets/ are cached forever by the server.
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1200,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    testTimeout: 20_000,
    pool: 'threads',
    maxWorkers: 2,
  },
})
