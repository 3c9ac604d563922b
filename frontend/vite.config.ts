import react from '@vitejs/plugin-react'
import { defineConfig } from 'vitest/config'

// The Go server (`numo serve`, default :8080) owns /query (HTTP and websocket), /api and
// /healthz; in development Vite forwards them so the app runs on one origin, as in production.
const backend = process.env.NUMO_BACKEND ?? 'http://localhost:8080'

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/query': { target: backend, ws: true, changeOrigin: true },
      '/api': { target: backend, changeOrigin: true },
      '/healthz': { target: backend, changeOrigin: true },
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
