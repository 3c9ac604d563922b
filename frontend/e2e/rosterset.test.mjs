// Issue 15, end to end against a running Numo (NUMO_URL): a OneRoster 1.2 set dropped into the
// wizard as one zip is recognised ("Herkend: OneRoster 1.2 — 20 leerlingen, 4 docenten …"),
// its pupil job goes through mapping, preview and import, "Verder met de docenten" leads into
// its teacher job, and the Klassen page then shows the set's lesgroepen. Fixture:
// e2e/fixtures/rosterset-oneroster12.zip, the zip of testdata/rosterset/oneroster12 (invented
// people, school 99XZ00) with its pupil numbers 1002xx written 7702xx and its groups 4H… as
// 4R…, so that it touches none of the demo school's pupils and classes the other files use.
import assert from 'node:assert/strict'
import { after, afterEach, before, test } from 'node:test'
import { fixture, heading, launch, mock, openSignedIn, shot } from './helpers.mjs'

let browser
let page

before(async () => {
  browser = await launch()
  page = browser.page
})

let testNo = 0
afterEach(async () => {
  await shot(page, `zz-rosterset-end-of-test-${++testNo}`).catch(() => {})
})

after(async () => {
  await browser?.close()
})

const skip = mock ? 'the mock server does not read roster sets' : false

/** From the mapping step with the default actions (add, update) through the import to the result. */
async function mappingToResult() {
  await heading(page, 'Kolommen koppelen')
  await page.getByRole('button', { name: 'Verder' }).click()
  await heading(page, 'Vervolgacties')
  await page.getByRole('button', { name: 'Voorbeeld bekijken' }).click()
  await heading(page, 'Voorbeeld Numo gebruikerslijst')
  await page.getByRole('button', { name: 'Importeer' }).click()
  await heading(page, 'Resultaat')
  return page.getByTestId('result-message').textContent()
}

test('a OneRoster zip becomes the pupils, then the teachers, then the roster', { skip }, async () => {
  await openSignedIn(page, '/import')
  await heading(page, 'Importeren — bestand kiezen')
  await page.locator('input[type="file"]').setInputFiles(fixture('rosterset-oneroster12.zip'))
  const recognised = page.getByTestId('set-recognised')
  await recognised.waitFor()
  const text = await recognised.textContent()
  assert.match(text, /Herkend: OneRoster 1\.2 — 20 leerlingen, 4 docenten, \d+ lesgroepen; 3 regels overgeslagen/)
  await page.getByRole('button', { name: 'Overgeslagen regels tonen' }).click()
  assert.match(await page.getByTestId('set-skipped').textContent(), /users\.csv, regel \d+/)
  await shot(page, 'rosterset-recognised')

  await page.getByRole('button', { name: 'Verder met de leerlingen' }).click()
  assert.match(await mappingToResult(), /^20 toegevoegd, 0 bijgewerkt, 0 gearchiveerd, 0 geweigerd/)

  await page.getByRole('button', { name: 'Verder met de docenten' }).click()
  assert.match(await mappingToResult(), /^4 toegevoegd, 0 bijgewerkt, 0 gearchiveerd, 0 geweigerd/)
  await shot(page, 'rosterset-teachers-done')

  await openSignedIn(page, '/klassen')
  await page.getByText('4R-wiB1').first().waitFor()
  await page.getByText('4R1').first().waitFor()
  await shot(page, 'rosterset-klassen')
})
