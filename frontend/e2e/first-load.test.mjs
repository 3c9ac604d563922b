// The app's first load, as Chromium transfers it: the login page with everything it fetches
// (HTML, script, styles, icon, the first API calls), headers included, must stay under
// 350 KB. The server sends the app's files precompressed (brotli) and compresses API answers.
// The pages behind the sign-in are chunks of their own (React.lazy per route, issue 17): the
// sign-in page's JavaScript must stay under 250 KB even as gzip, for a client without brotli.
import assert from 'node:assert/strict'
import http from 'node:http'
import { after, before, test } from 'node:test'
import { baseURL, launch, mock } from './helpers.mjs'

let browser

before(async () => {
  browser = await launch()
})

after(async () => {
  await browser?.close()
})

test('the first load transfers under 350 KB, the script and styles brotli-compressed', { skip: mock && 'the stand-in server does not compress' }, async () => {
  const { page } = browser
  const finished = []
  page.on('requestfinished', (req) => finished.push(req))
  await page.goto(`${baseURL}/`, { waitUntil: 'networkidle' })
  let total = 0
  const lines = []
  for (const req of finished) {
    const sizes = await req.sizes()
    const res = await req.response()
    const bytes = sizes.responseBodySize + sizes.responseHeadersSize
    total += bytes
    const encoding = (await res?.headerValue('content-encoding')) ?? ''
    lines.push(`${new URL(req.url()).pathname} ${bytes} B ${encoding}`)
    // Files under 1 KiB are not worth compressing (vite.config.ts precompress).
    if (/\/assets\/.*\.(js|css)$/.test(req.url()) && sizes.responseBodySize >= 1024) {
      assert.equal(encoding, 'br', `${req.url()} went out without brotli`)
    }
  }
  console.log(`first load: ${total} bytes in ${finished.length} requests\n  ${lines.join('\n  ')}`)
  assert.ok(total < 350_000, `first load transferred ${total} bytes`)
})

/** The bytes the server sends for url to a client that accepts only gzip. */
function gzipBytes(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
        let n = 0
        res.on('data', (chunk) => (n += chunk.length))
        res.on('end', () => resolve({ bytes: n, encoding: res.headers['content-encoding'] ?? '' }))
      })
      .on('error', reject)
  })
}

test('the sign-in page loads under 250 KB of JavaScript as gzip, without the pages behind it', { skip: mock && 'the stand-in server does not compress' }, async () => {
  const { page } = browser
  await page.context().clearCookies()
  const scripts = new Set()
  const onRequest = (req) => req.resourceType() === 'script' && scripts.add(req.url())
  page.on('request', onRequest)
  await page.goto(`${baseURL}/inloggen`, { waitUntil: 'networkidle' })
  await page.getByRole('heading', { name: 'Inloggen', exact: true }).waitFor()
  page.off('request', onRequest)
  let total = 0
  const lines = []
  for (const url of scripts) {
    const { bytes, encoding } = await gzipBytes(url)
    if (bytes >= 1024) assert.equal(encoding, 'gzip', `${url} went out without gzip`)
    total += bytes
    lines.push(`${new URL(url).pathname} ${bytes} B`)
  }
  console.log(`sign-in page JavaScript: ${total} bytes gzip in ${scripts.size} files\n  ${lines.join('\n  ')}`)
  assert.ok(total < 250_000, `the sign-in page's JavaScript is ${total} bytes gzip`)
  // No page of the app behind the sign-in is part of it.
  for (const url of scripts) assert.doesNotMatch(url, /\/(Shell|ImportWizard|ClassesPage|AdminPage|HistoryPage)-/, `${url} loaded on the sign-in page`)
})
