// The app's first load, as Chromium transfers it: the login page with everything it fetches
// (HTML, script, styles, icon, the first API calls), headers included, must stay under
// 350 KB. The server sends the app's files precompressed (brotli) and compresses API answers.
import assert from 'node:assert/strict'
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
    if (/\/assets\/.*\.(js|css)$/.test(req.url())) {
      assert.equal(encoding, 'br', `${req.url()} went out without brotli`)
    }
  }
  console.log(`first load: ${total} bytes in ${finished.length} requests\n  ${lines.join('\n  ')}`)
  assert.ok(total < 350_000, `first load transferred ${total} bytes`)
})
