// Webhooks in Beheer → API-sleutels (issue 18), in Chromium against a running Numo (NUMO_URL)
// that may send to loopback (run.sh starts it with NUMO_WEBHOOK_ALLOW_NETS=127.0.0.1/32): the
// admin makes a token, adds a webhook to a receiver this test runs on 127.0.0.1, sees its
// secret once, sends a test message (the receiver checks its Numo-Signature with that secret)
// and finds the attempt in the delivery log (axe-core: nothing serious, NL and EN, both sizes);
// then pauses, resumes and deletes it.
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import http from 'node:http'
import { after, afterEach, before, test } from 'node:test'
import { axeEverywhere, launch, mock, openSignedIn, shot, tabletShot } from './helpers.mjs'

let browser
let page
let receiver
const received = [] // { headers, body } of every POST

before(async () => {
  if (mock) return
  receiver = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) })
      res.writeHead(204).end()
    })
  })
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  browser = await launch()
  page = browser.page
})

let testNo = 0
afterEach(async () => {
  if (page) await shot(page, `zz-webhooks-end-of-test-${++testNo}`).catch(() => {})
})

after(async () => {
  await browser?.close()
  receiver?.close()
})

/** Whether header (t=…,v1=…) signs body with secret, as docs/integrators.md describes. */
function signed(secret, header, body) {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=')))
  const want = crypto.createHmac('sha256', secret).update(`${parts.t}.`).update(body).digest('hex')
  return parts.v1 === want
}

test('an admin adds a webhook, sends a test message and sees it in the delivery log', { skip: mock && 'the mock server has no webhooks' }, async () => {
  const url = `http://127.0.0.1:${receiver.address().port}/numo-hook`
  const name = `Webhooks (e2e ${receiver.address().port})` // unique when run again against one server
  await openSignedIn(page, '/beheer/api-sleutels')
  await page.getByRole('button', { name: 'Nieuwe API-sleutel' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('Naam').fill(name)
  await dialog.getByRole('button', { name: 'Sleutel maken' }).click()
  await dialog.getByTestId('secret-value').waitFor()
  await dialog.getByRole('button', { name: 'Ik heb het bewaard — sluiten' }).click()

  await page.getByRole('button', { name: `Webhooks van API-sleutel ${name}` }).click()
  const panel = page.getByRole('region', { name: `Webhooks van “${name}”` })
  await panel.getByText('Deze sleutel heeft nog geen webhooks.').waitFor()
  // The server's refusal is shown under the field: a public address over plain http.
  await panel.getByLabel('Adres (URL)').fill('http://example.com/hook')
  await panel.getByRole('button', { name: 'Webhook toevoegen' }).click()
  await panel.getByText(/https/).first().waitFor()
  assert.ok(await panel.getByLabel('Adres (URL)').getAttribute('aria-invalid'), 'the field is marked invalid')
  await shot(page, 'w-01-webhook-refused')

  await panel.getByLabel('Adres (URL)').fill(url)
  await panel.getByRole('button', { name: 'Webhook toevoegen' }).click()
  const secret = (await panel.getByTestId('secret-value').textContent()).trim()
  assert.match(secret, /^whsec_/)
  await panel.getByText(/docs\/integrators\.md/).first().waitFor()
  await shot(page, 'w-02-webhook-secret')
  await tabletShot(page, 'w-02b-webhook-secret-tablet')
  await panel.getByRole('button', { name: 'Ik heb het bewaard — sluiten' }).click()
  assert.equal(await page.getByText(secret).count(), 0, 'the secret is shown once')

  const row = panel.getByRole('article', { name: url })
  await row.getByText('actief', { exact: true }).waitFor()
  await row.getByRole('button', { name: `Testbericht sturen naar ${url}` }).click()
  await page.getByText(/Testbericht aangekomen: HTTP 204/).waitFor()
  const test = received.find((r) => JSON.parse(r.body).test === true)
  assert.ok(test, 'the receiver got the test message')
  assert.ok(signed(secret, test.headers['numo-signature'], test.body), 'its Numo-Signature checks out with the secret')

  await row.getByRole('button', { name: `Bezorglog van ${url}` }).click()
  const log = page.getByRole('table', { name: `Bezorglog van ${url}` })
  await log.getByText('testbericht').first().waitFor()
  await log.getByText('gelukt (HTTP 204)').first().waitFor()
  await shot(page, 'w-03-webhook-log')
  await tabletShot(page, 'w-03b-webhook-log-tablet')
  // The open panel and log in both languages at both sizes: no serious axe-core finding.
  const logTable = page.locator('section[aria-labelledby^="webhook-log-"] table') // the same in English
  assert.deepEqual(await axeEverywhere(page, 'webhooks', () => logTable.waitFor()), [])

  await row.getByRole('button', { name: `Webhook ${url} pauzeren` }).click()
  await row.getByText('gepauzeerd', { exact: true }).waitFor()
  await row.getByRole('button', { name: `Webhook ${url} hervatten` }).click()
  await row.getByText('actief', { exact: true }).waitFor()

  await row.getByRole('button', { name: `Webhook ${url} verwijderen` }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Webhook verwijderen' }).click()
  await panel.getByText('Deze sleutel heeft nog geen webhooks.').waitFor()
  // As in the other files: a resource's failed load (the app's 401 probe before signing in) is no page error.
  assert.deepEqual(browser.problems.filter((p) => !/Failed to load resource/.test(p)), [])
})
