import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import react from '@vitejs/plugin-react'
import type { Plugin } from 'vite'
import { defineConfig } from 'vitest/config'

// precompress writes x.br (brotli, quality 11) and x.gz (gzip -9) beside every built text file
// of at least 1 KiB, once at build time: the Go server sends the variant a browser accepts
// (internal/httpserver/static.go) without compressing on every request. Node's own zlib does
// it, so no plugin package is needed. It reads the files as written (writeBundle), not the
// chunks in generateBundle: with lazy routes, Vite replaces its preload marker
// (__VITE_PRELOAD__) in chunks after the generateBundle of a plugin, and compressed copies made
// there broke every lazy page in a browser that accepts brotli (issue 17).
function precompress(): Plugin {
  return {
    name: 'numo-precompress',
    apply: 'build',
    enforce: 'post',
    writeBundle(options, bundle) {
      const dir = options.dir ?? path.dirname(options.file ?? '')
      for (const name of Object.keys(bundle)) {
        if (!/\.(js|mjs|css|html|svg|json|txt)$/.test(name)) continue
        const file = path.join(dir, name)
        const data = readFileSync(file)
        if (data.length < 1024) continue
        const br = brotliCompressSync(data, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
          },
        })
        writeFileSync(`${file}.br`, br)
        writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }))
      }
    },
  }
}

// The Go server (`numo serve`, default :8080) owns /query (HTTP and websocket), /api and
// /healthz; in development Vite forwards them so the app runs on one origin, as in production.
// The Host header is passed on unchanged (no changeOrigin): the server refuses a cookie-borne
// write, and a websocket, whose Origin is not the host it was sent to (CSRF protection).
const backend = process.env.NUMO_BACKEND ?? 'http://localhost:8080'

export default defineConfig({
  plugins: [react(), precompress()],
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
