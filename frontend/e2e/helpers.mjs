// Shared set-up for the e2e tests: Debian's Chromium through playwright-core, the base URL
// from NUMO_URL, and full-page screenshots into e2e/artifacts/.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const here = path.dirname(fileURLToPath(import.meta.url))

/** Where the app under test runs, e.g. http://127.0.0.1:18080 (set by run.sh). */
export const baseURL = (process.env.NUMO_URL ?? '').replace(/\/$/, '')
if (!baseURL) throw new Error('NUMO_URL is not set: run the tests with `npm run e2e` (e2e/run.sh)')

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

/** Picks option in the Mantine Select labelled label. */
export async function choose(page, label, option) {
  await page.getByRole('combobox', { name: label, exact: true }).click()
  await page.getByRole('option', { name: option, exact: true }).click()
}

/** Waits until the Mantine Stepper's current step heading is shown. */
export async function heading(page, name) {
  await page.getByRole('heading', { name, exact: true }).waitFor()
}
