// Login letters end to end (issue 16, start codes): the admin imports three new first-years of
// an invented brugklas 1Z (testdata/startcodes/brugklas_1z.csv), makes their login letters from
// the import's result, downloads the PDF and the CSV, and one pupil signs in with the username
// and start code from the CSV, is made to choose a password first, and then sees their own page.
// Runs against NUMO_URL's server (e2e/run.sh) after the other files; touches only class 1Z.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, afterEach, before, test } from 'node:test'
import { heading, launch, mock, openSignedIn, shot, signIn, signOut } from './helpers.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const csvFixture = path.resolve(here, '..', '..', 'testdata', 'startcodes', 'brugklas_1z.csv')
const skip = mock ? 'the mock server has no login letters' : false

let browser
let page

before(async () => {
  if (skip) return
  browser = await launch()
  page = browser.page
})

let testNo = 0
afterEach(async () => {
  if (page) await shot(page, `zz-startcodes-end-of-test-${++testNo}`).catch(() => {})
})

after(async () => {
  await browser?.close()
})

/** Reads a downloaded CSV of letters (UTF-8 with BOM, semicolons) into rows by header. */
function readLettersCSV(text) {
  assert.ok(text.startsWith('\ufeff'), 'the CSV starts with a byte order mark')
  const [head, ...lines] = text.slice(1).trim().split(/\r?\n/)
  const cols = head.split(';')
  return lines.map((l) => Object.fromEntries(l.split(';').map((v, i) => [cols[i], v])))
}

/** Clicks a download button and returns the downloaded file's bytes. */
async function download(testId) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()])
  const where = await file.path()
  assert.ok(where, `${testId}: the download finished`)
  return fs.readFileSync(where)
}

let letter // the CSV row of the pupil who signs in

test('the admin makes login letters for the new pupils of an import and downloads them', { skip }, async () => {
  await openSignedIn(page, '/import')
  await heading(page, 'Importeren — bestand kiezen')
  await page.locator('input[type="file"]').setInputFiles(csvFixture)
  await page.getByText('puntkomma (;)').waitFor()
  await page.getByRole('button', { name: 'Verder' }).click()
  await heading(page, 'Kolommen koppelen')
  await page.getByRole('button', { name: 'Verder' }).click()
  await heading(page, 'Vervolgacties')
  assert.ok(!(await page.getByRole('checkbox', { name: 'Archiveer account(s)' }).isChecked()))
  await page.getByRole('button', { name: 'Voorbeeld bekijken' }).click()
  await heading(page, 'Voorbeeld Numo gebruikerslijst')
  await page.getByText('Nieuw (3)').waitFor()
  await page.getByRole('button', { name: 'Importeer' }).click()
  await heading(page, 'Resultaat')
  assert.match(await page.getByTestId('result-message').textContent(), /^3 toegevoegd/)

  // The letters, from the import's result: a confirm dialog first.
  await page.getByTestId('letters-open').click()
  const dialog = page.getByRole('dialog', { name: 'Inlogbrieven voor 3 nieuwe accounts' })
  await dialog.getByText('Eerdere startcodes werken niet meer').waitFor()
  await shot(page, 'startcodes-1-confirm')
  await dialog.getByTestId('letters-confirm').click()
  await dialog.getByTestId('letters-ready').waitFor()
  await dialog.getByText('3 inlogbrieven gemaakt').waitFor()
  await dialog.getByText('3 accounts kregen een gebruikersnaam').waitFor()
  await shot(page, 'startcodes-2-ready')

  const csvHref = await dialog.getByTestId('letters-csv').getAttribute('href')
  const pdf = await download('letters-pdf')
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-', 'the PDF download is a PDF')
  assert.ok(pdf.length > 5000, `the PDF has ${pdf.length} bytes`)
  const rows = readLettersCSV((await download('letters-csv')).toString('utf8'))
  assert.equal(rows.length, 3)
  assert.deepEqual(
    rows.map((r) => `${r.Klas} ${r.Naam} ${r.Gebruikersnaam}`),
    ['1Z Fenna de Boer fenna.deboer', '1Z Noor van der Linden noor.vanderlinden', '1Z Daan Öztürk daan.ozturk'],
    'sorted as the class list (by last name), with usernames from the pattern',
  )
  for (const r of rows) assert.match(r.Startcode, /^[ACDEFGHJKLMNPQRTUVWXY2345679]{4}(-[ACDEFGHJKLMNPQRTUVWXY2345679]{4}){2}$/)
  letter = rows.find((r) => r.Gebruikersnaam === 'daan.ozturk')

  // Each download works once: the server refuses a second try.
  const again = await page.request.get(new URL(csvHref, page.url()).toString())
  assert.equal(again.status(), 404)
  await dialog.getByTestId('letters-ready').getByRole('button', { name: 'Sluiten' }).click()
  await signOut(page)
})

test('the pupil signs in with the start code, must choose a password, then sees their own page', { skip }, async () => {
  assert.ok(letter, 'the letters were made')
  await page.context().clearCookies()
  await page.goto(new URL('/', page.url()).toString())
  await page.getByText('Voor het eerst? Typ bij Wachtwoord de startcode van je inlogbrief.').waitFor()
  await signIn(page, { username: letter.Gebruikersnaam, password: letter.Startcode.toLowerCase() })
  await heading(page, 'Kies uw eigen wachtwoord')
  await shot(page, 'startcodes-3-choose-password')

  // The server holds the line too: nothing but changing the password.
  const blocked = await page.evaluate(async () => {
    const r = await fetch('/query', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: '{ accounts(first: 1) { totalCount } }' }),
    })
    return (await r.json()).errors?.[0]?.extensions?.code
  })
  assert.equal(blocked, 'PASSWORD_CHANGE_REQUIRED')

  await page.getByLabel('Eenmalig wachtwoord of startcode (waarmee u net inlogde)').fill(letter.Startcode)
  await page.getByLabel('Nieuw wachtwoord', { exact: true }).fill('daan-eigen-wachtwoord')
  await page.getByLabel('Nieuw wachtwoord herhalen').fill('daan-eigen-wachtwoord')
  await page.getByRole('button', { name: 'Wachtwoord opslaan' }).click()
  await heading(page, 'Mijn gegevens')
  await page.getByText('Daan Öztürk').first().waitFor()
  await shot(page, 'startcodes-4-own-page')

  // The code is spent: only the new password signs in now.
  await signOut(page)
  const tryLogin = (password) =>
    page.evaluate(
      async ([u, p]) => (await fetch('/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: u, password: p }) })).status,
      [letter.Gebruikersnaam, password],
    )
  assert.equal(await tryLogin(letter.Startcode), 401)
  assert.equal(await tryLogin('daan-eigen-wachtwoord'), 200)
  assert.deepEqual(browser.problems.filter((p) => !/401|403|404/.test(p)), [])
})
