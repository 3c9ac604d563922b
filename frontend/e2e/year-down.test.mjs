// Issue 12, point 4: uploading last year's export again moves many pupils back a leerjaar. The
// preview says so at the top, in plain Dutch, and Importeer waits for the number of those pupils
// typed back, as the archive guard does. The school first steps to 2027 (add and update, no
// archiving), then the 2026 file comes again. Runs after the other files (name order): it only
// adds a step up and back down to what they left.
import assert from 'node:assert/strict'
import { after, afterEach, before, test } from 'node:test'
import { choose, fixture, heading, launch, mock, openSignedIn, shot } from './helpers.mjs'

let browser
let page

before(async () => {
  browser = await launch()
  page = browser.page
})

let testNo = 0
afterEach(async () => {
  await shot(page, `zz-year-down-end-of-test-${++testNo}`).catch(() => {})
})

after(async () => {
  await browser?.close()
})

/** Uploads a fixture and goes through mapping and actions (add and update) to the preview. */
async function previewOf(name) {
  await openSignedIn(page, '/import')
  await page.locator('input[type="file"]').setInputFiles(fixture(name))
  await page.getByText('puntkomma (;)').waitFor()
  await page.getByRole('button', { name: 'Verder' }).click()
  await heading(page, 'Kolommen koppelen')
  await page.getByText('Verplichte velden:').waitFor()
  // The ISK pupil's level, unless the school decided it before (import.test.mjs does).
  if (await page.getByRole('combobox', { name: 'Niveau voor waarde ISK', exact: true }).count()) {
    await choose(page, 'Niveau voor waarde ISK', 'Geen niveau')
  }
  await page.getByRole('button', { name: 'Verder' }).click()
  await heading(page, 'Vervolgacties')
  await page.getByRole('button', { name: 'Voorbeeld bekijken' }).click()
  await heading(page, 'Voorbeeld Numo gebruikerslijst')
}

/** Imports from the preview and waits for the result message. */
async function importAndWait() {
  await page.getByRole('button', { name: 'Importeer' }).click()
  await heading(page, 'Resultaat')
  return page.getByTestId('result-message').textContent()
}

// The mock has the year guard, but not yet the rest of issue 12's preview (damaged values).
const skip = mock ? 'the mock server does not answer issue 12’s preview fields yet' : false

test('last year’s file again: a warning at the top, and Importeer waits for the typed number', { skip }, async () => {
  // The step up: nobody goes back a year, so there is no warning.
  await previewOf('magister_2027_win1252.csv')
  await page.getByText(/^Bijwerken \(/).waitFor()
  assert.equal(await page.getByTestId('year-guard').count(), 0, 'no year guard on the step up')
  assert.match(await importAndWait(), /bijgewerkt/)

  // And back: last year's file again.
  await previewOf('magister_2026_win1252.csv')
  const alert = page.getByTestId('year-guard')
  await alert.waitFor()
  const title = await alert.getByText(/^Let op: \d+ leerlingen gaan een leerjaar terug$/).textContent()
  const yearDown = Number(title.match(/(\d+)/)[1])
  assert.ok(yearDown >= 20, `most pupils go back a year (got ${yearDown})`)
  assert.match(await alert.textContent(), /bestand van vorig schooljaar/)
  // At the top: above the outcome filter and the list of pupils.
  const alertBox = await alert.boundingBox()
  const tableBox = await page.getByRole('table', { name: 'Leerlingen na de import' }).boundingBox()
  const chipsBox = await page.getByRole('radiogroup', { name: 'Toon leerlingen per uitkomst' }).boundingBox()
  assert.ok(alertBox.y < chipsBox.y && alertBox.y < tableBox.y, 'the warning is at the top of the preview')
  // The updates show the year going down.
  const table = page.getByRole('table', { name: 'Leerlingen na de import' })
  await page.getByText(/^Bijwerken \(/).click()
  await table.getByText('2 → ').first().waitFor()

  const importButton = page.getByRole('button', { name: 'Importeer' })
  assert.ok(await importButton.isDisabled(), 'Importeer waits for the typed number')
  const input = page.getByLabel(`Typ het aantal leerlingen dat een leerjaar teruggaat (${yearDown}) om te bevestigen`)
  await input.fill(String(yearDown - 1))
  await page.getByText('Dit is niet het aantal leerlingen dat een leerjaar teruggaat.').waitFor()
  assert.ok(await importButton.isDisabled(), 'a wrong number keeps Importeer disabled')
  await page.evaluate(() => window.scrollTo(0, 0))
  await shot(page, '5-01-year-down-warning')
  await input.fill(String(yearDown))
  assert.ok(await importButton.isEnabled(), 'the right number enables Importeer')
  await shot(page, '5-02-year-down-confirmed')
  const result = await importAndWait()
  const updated = Number(result.match(/(\d+) bijgewerkt/)?.[1])
  assert.ok(updated >= yearDown, `the pupils went back a year: ${result}`)
  await shot(page, '5-03-year-down-result')
})

test('no uncaught errors in the browser', { skip }, () => {
  const real = browser.problems.filter((p) => !/Failed to load resource/.test(p))
  assert.deepEqual(real, [])
})
