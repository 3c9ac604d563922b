// Fix it here instead of in Excel (issue 17), end to end against a running Numo (NUMO_URL): a
// Windows-1252 export with refused rows; the summary per class at the top of the preview; a
// refused row's reason in view at 1280 px without scrolling sideways; one row corrected in the
// preview and accepted at once; the refused rows downloaded as CSV in the file's own columns
// (UTF-8 with BOM, `;`, the reason last); the commit, whose report names the correction; and the
// undo, which leaves the school as it was for the other tests.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { after, afterEach, before, test } from 'node:test'
import { fixture, gqlAsPage, heading, launch, mock, openSignedIn, shot, tabletShot } from './helpers.mjs'

let browser
let page

before(async () => {
  browser = await launch()
  page = browser.page
})

let testNo = 0
afterEach(async () => {
  await shot(page, `corrections-zz-end-of-test-${++testNo}`).catch(() => {})
})

after(async () => {
  await browser?.close()
})

/** Uploads the fixture and goes through mapping and actions to the preview. */
async function toPreview() {
  await openSignedIn(page, '/import')
  await page.locator('input[type="file"]').setInputFiles(fixture('corrections_win1252.csv'))
  await page.getByText('puntkomma (;)').waitFor()
  await page.getByRole('button', { name: 'Verder' }).click()
  await heading(page, 'Kolommen koppelen')
  await page.getByRole('button', { name: 'Verder' }).click()
  await heading(page, 'Vervolgacties')
  await page.getByRole('button', { name: 'Voorbeeld bekijken' }).click()
  await heading(page, 'Voorbeeld Numo gebruikerslijst')
}

/** The refused rows download's text, as the browser saves it. */
async function downloadRefused() {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Geweigerde regels downloaden (CSV)' }).click(),
  ])
  return fs.readFileSync(await download.path(), 'utf8')
}

test('a refused row is corrected in the preview, the refused rows download, the report names the correction', { skip: mock }, async () => {
  await toPreview()
  // The summary per class sits at the top: two new pupils for 1K (two rows are refused), one without e-mail.
  const summary = page.getByTestId('class-summary')
  await summary.waitFor()
  assert.match(await page.getByTestId('class-moves').textContent(), /nieuw → 1K: 2/)
  assert.match(await page.getByTestId('classes-new').textContent(), /1 nieuwe klas:\s*1K/)
  assert.match(await page.getByTestId('without-email').textContent(), /^1 leerling heeft na de import geen e-mailadres\.$/)

  await page.getByText(/^Geweigerd \(2\)/).click()
  const details = page.getByTestId('refused-details')
  await details.nth(1).waitFor()
  // At 1280 px the reason is in view without scrolling sideways.
  const reason = details.first().getByText(/Achternaam:/)
  const box = await reason.boundingBox()
  assert.ok(box && box.x >= 0 && box.x + box.width <= 1280, `reason at ${JSON.stringify(box)}`)
  await shot(page, 'corrections-1-preview-refused')
  await tabletShot(page, 'corrections-1-preview-refused-tablet')

  const csv = await downloadRefused()
  const lines = csv.split('\r\n')
  assert.equal(lines[0], '\ufeffStamnr;Roepnaam;Tussenv;Achternaam;Klas;Leerjaar;E-mail;Reden van weigering')
  assert.match(lines[1], /^17002;Zoë;;;1K;1;zoe\.aerts@leerling\.example\.nl;.*Achternaam/)
  assert.match(lines[2], /^17003;François;;Ødegård;1K;1;francois@school;.*e-mail/i)
  assert.equal(lines.filter(Boolean).length, 3)

  // Correct line 3's last name: accepted at once, the counts follow.
  await page.getByRole('button', { name: 'Regel 3 verbeteren' }).click()
  const form = page.getByRole('form', { name: 'Regel 3 verbeteren' })
  await form.getByLabel('Achternaam').fill('Ærts')
  await shot(page, 'corrections-2-correcting')
  await form.getByRole('button', { name: 'Controleren en opslaan' }).click()
  await page.getByTestId('row-check').getByText('Regel 3 is verbeterd en wordt nu geïmporteerd.').waitFor()
  await page.getByText(/^Geweigerd \(1\)/).waitFor()
  await page.getByText(/^Nieuw \(3\)/).waitFor()
  assert.match(await page.getByTestId('class-moves').textContent(), /nieuw → 1K: 3/)
  await shot(page, 'corrections-3-corrected')

  const after = (await downloadRefused()).split('\r\n').filter(Boolean)
  assert.equal(after.length, 2, 'only line 4 is still refused')
  assert.match(after[1], /^17003;/)

  await page.getByRole('button', { name: 'Importeer' }).click()
  await heading(page, 'Resultaat')
  const note = page.getByTestId('corrections-note')
  await note.getByText('1 regel in de app verbeterd').waitFor()
  assert.match(await note.textContent(), /Regel 3, Achternaam: ∅ → Ærts/)
  assert.match(await page.getByTestId('result-message').textContent(), /^3 toegevoegd, 0 bijgewerkt, 0 gearchiveerd, 1 geweigerd/)
  await shot(page, 'corrections-4-result')
  await tabletShot(page, 'corrections-4-result-tablet')

  // Undo still works after a corrected import, and leaves the school as the other tests expect it.
  const jobs = await gqlAsPage(page, '{ importJobs(first: 1, orderBy: {field: CREATED_AT, direction: DESC}) { edges { node { id } } } }')
  const job = jobs.importJobs.edges[0].node.id
  const undo = await gqlAsPage(page, 'mutation($job: ID!) { undoImport(jobId: $job) { status } }', { job })
  assert.equal(undo.undoImport.status, 'COMMITTED')
})
