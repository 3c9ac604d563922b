// Shared set-up for the e2e tests: Debian's Chromium through playwright-core, the base URL
// from NUMO_URL, and full-page screenshots into e2e/artifacts/.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const here = path.dirname(fileURLToPath(import.meta.url))

/** Where the app under test runs, e.g. http://127.0.0.1:18080 (set by run.sh). */
export const baseURL = (process.env.NUMO_URL ?? '').replace(/\/$/, '')
if (!baseURL) throw new Error('NUMO_URL is not set: run the tests with `npm run e2e` (e2e/run.sh)')

/** The demo school's first admin; run.sh starts numo with NUMO_ADMIN_PASSWORD set to this. */
export const admin = {
  username: process.env.NUMO_E2E_ADMIN_USER ?? 'beheer',
  password: process.env.NUMO_E2E_ADMIN_PASSWORD ?? 'e2e-beheer-Wachtwoord-2026',
}

/** True when the tests run against the JavaScript stand-in (e2e/mock), which has no undo or Beheer. */
export const mock = process.env.NUMO_E2E_MOCK === '1'

/** Screenshots of every step, for people to look at; gitignored. */
export const artifacts = path.join(here, 'artifacts')
fs.mkdirSync(artifacts, { recursive: true })

/** The fixtures folder. */
export const fixture = (name) => path.join(here, 'fixtures', name)

/** Starts Chromium with a throw-away profile at laptop size (1280×800), Dutch. */
export async function launch() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'numo-e2e-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    locale: 'nl-NL',
    acceptDownloads: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  })
  context.setDefaultTimeout(15_000)
  const page = context.pages()[0] ?? (await context.newPage())
  // Playwright starts intercepting file choosers only when the first listener is added, and
  // that takes a round trip: a chooser opened before it is done is a real dialog, which blocks
  // every later one. Listening from the start means every chooser is intercepted.
  page.on('filechooser', () => {})
  const problems = []
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`))
  return {
    context,
    page,
    problems,
    close: async () => {
      await context.close()
      fs.rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** Saves a full-page screenshot as artifacts/NAME.png. */
export async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0)) // sticky bars then sit where people see them
  await page.waitForTimeout(250) // let Mantine's transitions settle
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true })
}

/**
 * Signs in on the login page the app is showing (it sent the browser there, remembering the
 * address) and waits until the app has taken the person onward.
 */
export async function signIn(page, { username = admin.username, password = admin.password } = {}) {
  await page.getByRole('heading', { name: 'Inloggen', exact: true }).waitFor()
  await page.getByLabel('Gebruikersnaam of e-mailadres').fill(username)
  await page.getByLabel('Wachtwoord', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Inloggen', exact: true }).click()
  await page.waitForURL((url) => url.pathname !== '/inloggen')
}

/** Opens path in a new session (no cookie), signs in on the login page and lands on path. */
export async function openSignedIn(page, path, credentials) {
  await page.context().clearCookies()
  await page.goto(`${baseURL}${path}`)
  await signIn(page, credentials)
  await page.waitForURL((url) => url.pathname === path.split('?')[0])
}

/** Signs out with the header's Afmelden and waits for the login page. */
export async function signOut(page) {
  await page.getByRole('button', { name: 'Afmelden' }).click()
  await page.getByRole('heading', { name: 'Inloggen', exact: true }).waitFor()
}

/** Takes a screenshot at tablet size (768×1024) and goes back to laptop size. */
export async function tabletShot(page, name) {
  await page.setViewportSize({ width: 768, height: 1024 })
  await shot(page, name)
  await page.setViewportSize({ width: 1280, height: 800 })
}

/** Picks option in the Mantine Select labelled label. */
export async function choose(page, label, option) {
  await page.getByRole('combobox', { name: label, exact: true }).click()
  await page.getByRole('option', { name: option, exact: true }).click()
}

/** Waits until the Mantine Stepper's current step heading is shown. */
export async function heading(page, name) {
  await page.getByRole('heading', { name, exact: true }).waitFor()
}

// ---- Accessibility (issue 17): axe-core on every page, both languages, both sizes ----

/** axe-core's browser script, evaluated into a page by axeViolations (Runtime.evaluate ignores the CSP). */
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** The two sizes every page is checked at: a laptop and a tablet held upright. */
export const sizes = [
  { width: 1280, height: 800 },
  { width: 768, height: 1024 },
]

/**
 * The serious and critical axe-core violations of the page as it is now, one readable line per
 * element ("name: rule (impact) selector: summary"). Minor and moderate ones are not counted.
 */
export async function axeViolations(page, name) {
  await page.waitForTimeout(300) // Mantine's transitions (fades) end before colours are measured
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] })
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary ?? '' })),
    }))
  })
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${name}: ${v.id} (${v.impact}) ${n.target}: ${n.summary.replace(/\s+/g, ' ').slice(0, 240)}`))
}

/** Switches the app's language with the header's NL | EN toggle and waits until it took effect. */
export async function setLanguage(page, lang) {
  if ((await page.evaluate(() => document.documentElement.lang)) === lang) return
  await page.getByText(lang.toUpperCase(), { exact: true }).first().click()
  await page.waitForFunction((l) => document.documentElement.lang === l, lang)
}

/**
 * Runs axe on the page in Dutch and English at both sizes and returns every serious or critical
 * violation; the page is left in Dutch at laptop size. ready, when given, waits until the page
 * shows what is to be checked (after a language switch or resize), so it names nothing in words.
 */
export async function axeEverywhere(page, name, ready) {
  const found = []
  try {
    for (const lang of ['nl', 'en']) {
      await setLanguage(page, lang)
      for (const size of sizes) {
        await page.setViewportSize(size)
        if (ready) await ready()
        found.push(...(await axeViolations(page, `${name} [${lang} ${size.width}×${size.height}]`)))
      }
    }
  } finally {
    await setLanguage(page, 'nl')
    await page.setViewportSize(sizes[0])
  }
  return found
}

/** Sends a GraphQL request with the page's session (the app's own CSRF header included). */
export async function gqlAsPage(page, query, variables = {}) {
  const body = await page.evaluate(
    async ({ query, variables }) => {
      const res = await fetch('/query', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'numo' },
        body: JSON.stringify({ query, variables }),
      })
      return res.json()
    },
    { query, variables },
  )
  if (body.errors?.length) throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`)
  return body.data
}
