// Single sign-on in Chromium (issue 16), against a numo of its own: internal/testapp/ssoe2e
// starts numo on a fresh SQLite database with the invented school of testdata/sso/e2e.json and
// a real OpenID provider on loopback (zitadel's op library, internal/auth/oidc/oidctest). The
// admin switches single sign-on on in Beheer; a pupil signs in through the provider's login
// page and sees their own data; an archived pupil and someone without an account are refused
// with the reason on the login page. Does not use NUMO_URL's server or its data.
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, afterEach, before, test } from 'node:test'
import { choose, launch, mock, shot, signIn, signOut } from './helpers.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.resolve(here, '..', '..')
const skip = mock ? 'the mock server has no single sign-on' : false

let browser
let page
let server // the ssoe2e process
let env // what it printed: numo, issuer, clientId, clientSecret, brin, adminUsername, adminPassword
let tmp

/** Builds and starts ssoe2e and waits for its JSON line. */
async function startServer() {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'numo-sso-e2e-bin-'))
  const bin = path.join(tmp, 'ssoe2e')
  execFileSync('go', ['build', '-o', bin, './internal/testapp/ssoe2e'], { cwd: repo, stdio: 'inherit' })
  server = spawn(bin, ['-fixture', path.join(repo, 'testdata', 'sso', 'e2e.json')], { cwd: repo, stdio: ['pipe', 'pipe', 'pipe'] })
  let log = ''
  server.stderr.on('data', (d) => (log += d))
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`ssoe2e did not start:\n${log}`)), 60_000)
    server.stdout.on('data', (d) => {
      out += d
      const line = out.split('\n')[0]
      if (out.includes('\n')) {
        clearTimeout(timer)
        resolve(JSON.parse(line))
      }
    })
    server.on('exit', (code) => reject(new Error(`ssoe2e exited with ${code}:\n${log}`)))
  })
}

before(async () => {
  if (skip) return
  env = await startServer()
  browser = await launch()
  page = browser.page
})

let testNo = 0
afterEach(async () => {
  if (page) await shot(page, `zz-sso-end-of-test-${++testNo}`).catch(() => {})
})

after(async () => {
  await browser?.close()
  if (server) {
    server.stdin.end() // ssoe2e stops when its stdin closes
    await new Promise((r) => {
      const t = setTimeout(() => {
        server.kill('SIGKILL')
        r()
      }, 10_000)
      server.on('exit', () => {
        clearTimeout(t)
        r()
      })
    })
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

/** Clicks the login page's single sign-on button and signs in at the provider as username. */
async function signInAtProvider(username) {
  await page.context().clearCookies()
  await page.goto(`${env.numo}/inloggen`)
  await page.getByRole('link', { name: 'Inloggen met Testprovider' }).click()
  await page.waitForURL((url) => url.href.startsWith(env.issuer))
  await page.getByRole('heading', { name: 'Test provider' }).waitFor()
  await page.getByLabel('Username').fill(username)
  await page.getByRole('button', { name: 'Sign in at the provider' }).click()
  await page.waitForURL((url) => url.href.startsWith(env.numo) && !url.pathname.startsWith('/api/'))
}

test('the admin switches single sign-on on in Beheer → Inloggen via school', { skip }, async () => {
  await page.goto(`${env.numo}/beheer/inloggen`)
  await signIn(page, { username: env.adminUsername, password: env.adminPassword })
  await page.getByRole('heading', { name: 'Inloggen met het schoolaccount (OpenID Connect)' }).waitFor()
  // The redirect URI to register at the provider is this server's.
  await page.getByText(`${env.numo}/api/sso/callback`).waitFor()
  await page.getByLabel('Inloggen via de school aanzetten').check()
  await page.getByLabel('Tekst op de knop').fill('Testprovider')
  await page.getByLabel('Issuer-URL').fill(env.issuer)
  await page.getByLabel('Client-ID').fill(env.clientId)
  await page.getByLabel('Clientgeheim', { exact: true }).fill(env.clientSecret)
  await choose(page, 'Account koppelen op', 'Gebruikersnaam')
  await page.getByRole('button', { name: 'Instellingen opslaan' }).click()
  await page.getByText('De instellingen voor inloggen via de school zijn opgeslagen.').waitFor()
  // The secret is never shown again: the field is empty and says one is stored.
  assert.equal(await page.getByLabel('Clientgeheim', { exact: true }).inputValue(), '')
  await page.getByText(/Er is een clientgeheim opgeslagen; Numo toont het nooit/).waitFor()
  assert.equal(await page.getByText(env.clientSecret).count(), 0)
  await shot(page, 'sso-01-beheer-settings')
  await signOut(page)
})

test('a pupil signs in through the provider and sees their own data', { skip }, async () => {
  await page.context().clearCookies()
  await page.goto(`${env.numo}/inloggen`)
  await page.getByRole('link', { name: 'Inloggen met Testprovider' }).waitFor()
  await shot(page, 'sso-02-login-page')
  await signInAtProvider('sanne.devries')
  await page.getByRole('heading', { name: 'Mijn gegevens' }).waitFor()
  const table = page.getByRole('table', { name: 'Mijn gegevens' })
  await table.getByText('sanne.devries', { exact: true }).waitFor()
  await table.getByText('Sanne de Vries').waitFor()
  await table.getByText('70001', { exact: true }).waitFor()
  await shot(page, 'sso-03-pupil-own-page')
})

test('an archived pupil is refused with the reason, in Dutch and in English', { skip }, async () => {
  await signInAtProvider('oud.leerling')
  assert.equal(new URL(page.url()).pathname, '/inloggen')
  assert.equal(new URL(page.url()).searchParams.get('sso_error'), 'SSO_ARCHIVED')
  const alert = page.getByRole('alert').filter({ hasText: 'Inloggen via je school is niet gelukt' })
  await alert.getByText(/Je account in Numo is gearchiveerd en kan niet meer inloggen/).waitFor()
  await shot(page, 'sso-04-archived-refused')
  await page.getByText('EN', { exact: true }).click()
  await page.getByText(/Your Numo account is archived and can no longer sign in/).waitFor()
  await page.getByText('NL', { exact: true }).click()
  // Nobody is signed in: the app's pages send the browser back to the login page.
  const me = await page.evaluate(async () => (await fetch('/query', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query: '{ viewer { role } }' }) })).json())
  assert.equal(me.data.viewer, null)
})

test('someone the school has no account for is refused; no account is created', { skip }, async () => {
  await signInAtProvider('onbekend')
  assert.equal(new URL(page.url()).searchParams.get('sso_error'), 'SSO_NO_ACCOUNT')
  await page.getByRole('alert').filter({ hasText: /(Numo|active)/ }).first().waitFor()
  await shot(page, 'sso-05-unknown-refused')
})
