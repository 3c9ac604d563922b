// The September import, end to end against a running Numo (NUMO_URL): a Windows-1252 Magister
// export through every step of the wizard, then next year's export with archiving, and undoing
// that from the import history. Every test starts without a session and signs in through the
// login page, which then takes the admin to the page the test opened.
// Run with `npm run e2e`; screenshots of each step land in e2e/artifacts/.
import assert from 'node:assert/strict'
import { after, afterEach, before, test } from 'node:test'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { baseURL, choose, fixture, heading, launch, mock, openSignedIn, shot, tabletShot } from './helpers.mjs'

let browser
let page

before(async () => {
  browser = await launch()
  page = browser.page
})

// The page as each test left it: on a failure, this shows where it stopped.
let testNo = 0
afterEach(async () => {
  await shot(page, `zz-end-of-test-${++testNo}`).catch(() => {})
})

after(async () => {
  await browser?.close()
})

/** The archive guard's number, read from the label the admin reads it from. */
async function toArchiveFromGuard() {
  const label = await page.getByText(/^Typ het aantal te archiveren accounts/).textContent()
  const m = label.match(/\((\d[\d.]*)\)/)
  assert.ok(m, `no number in guard label: ${label}`)
  return Number(m[1].replace(/\./g, ''))
}

/** How many accounts the next-year import archived (for the undo that follows it). */
let archivedByNextYear = 0

async function progressReaches100() {
  const bar = page.getByRole('progressbar', { name: 'Voortgang van de import' })
  await bar.waitFor()
  await page.waitForSelector('[role="progressbar"][aria-valuenow="100"]', { timeout: 60_000 })
  assert.equal(await bar.getAttribute('aria-valuenow'), '100')
}

test('the language toggle switches to English and is remembered', async () => {
  await openSignedIn(page, '/import')
  await heading(page, 'Importeren — bestand kiezen')
  await page.getByText('EN', { exact: true }).click()
  await heading(page, 'Import — choose a file')
  await shot(page, '0-01-file-english')
  await page.reload()
  await heading(page, 'Import — choose a file')
  await page.getByText('NL', { exact: true }).click()
  await heading(page, 'Importeren — bestand kiezen')
})

test('an Excel workbook is refused with what to do', async () => {
  await openSignedIn(page, '/import')
  // A minimal zip signature, as every .xlsx starts, under a .csv name so the browser passes it on.
  await page.locator('input[type="file"]').setInputFiles({
    name: 'leerlingen.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0, 0, 0, 0, 0, 0]),
  })
  const alert = page.getByRole('alert').filter({ hasText: 'Dit bestand kan niet worden ingelezen' })
  await alert.waitFor()
  assert.match(await alert.textContent(), /Excel-werkmap/)
  await shot(page, '1-00-file-refused')
})

test('first import: a Windows-1252 Magister export through every step', async () => {
  await openSignedIn(page, '/import')
  await heading(page, 'Importeren — bestand kiezen')
  await shot(page, '1-01-file')

  // Step 1: the file, chosen with the keyboard (Tab to the drop zone, Enter), and what was detected.
  const dropzone = page.getByRole('button', { name: /^Sleep het bestand hierheen of klik om te kiezen/ })
  await dropzone.focus()
  await page.waitForTimeout(200)
  // Headless Chromium now and then drops the first file-chooser interception; a second Enter is
  // what a person would do too.
  let chooser
  for (let attempt = 0; !chooser && attempt < 2; attempt++) {
    ;[chooser] = await Promise.all([
      page.waitForEvent('filechooser', { timeout: 5_000 }).catch(() => undefined),
      page.keyboard.press('Enter'),
    ])
  }
  assert.ok(chooser, 'Enter on the drop zone opens the file chooser')
  await chooser.setFiles(fixture('magister_2026_win1252.csv'))
  await page.getByText('puntkomma (;)').waitFor()
  const summary = await page.locator('dl').textContent()
  assert.match(summary, /Windows-1252/)
  assert.match(summary, /40/)
  assert.match(page.url(), /\/import\/[^/]+$/)
  await shot(page, '1-02-file-detected')
  await page.getByRole('button', { name: 'Verder' }).click()

  // Step 2: every column was recognised, but one level value is not (ISK, the internationale
  // schakelklas): it blocks until the admin decides it (issue 12.2). A wrong column choice
  // blocks too, fixing it with the dropdown unblocks.
  await heading(page, 'Kolommen koppelen')
  const next = page.getByRole('button', { name: 'Verder' })
  await page.getByText(/Nog te kiezen: “ISK” \(1\)\./).waitFor()
  assert.ok(await next.isDisabled(), 'Verder waits until ISK has a level or "Geen niveau"')
  await shot(page, '1-03-mapping')
  await page.setViewportSize({ width: 768, height: 1024 })
  await shot(page, '1-03b-mapping-tablet')
  await page.setViewportSize({ width: 1280, height: 800 })
  await choose(page, 'Niveau voor waarde ISK', 'Geen niveau')
  assert.ok(await next.isEnabled(), 'Verder should be enabled for the automatic mapping once ISK is decided')
  await choose(page, 'Veld voor kolom Tussenv', 'Achternaam *')
  await page.getByText(/Het veld “Achternaam” is aan meer dan één kolom gekoppeld/).waitFor()
  assert.ok(await next.isDisabled(), 'Verder should be disabled on a double match')
  await shot(page, '1-04-mapping-blocked')
  await choose(page, 'Veld voor kolom Tussenv', 'Tussenvoegsel')
  assert.ok(await next.isEnabled())
  await next.click()

  // Step 3: add and update are ticked by default.
  await heading(page, 'Vervolgacties')
  assert.ok(await page.getByRole('checkbox', { name: 'Voeg nieuwe account(s) toe' }).isChecked())
  assert.ok(await page.getByRole('checkbox', { name: 'Werk account(s) bij' }).isChecked())
  assert.ok(!(await page.getByRole('checkbox', { name: 'Archiveer account(s)' }).isChecked()))
  await shot(page, '1-05-actions')
  await page.getByRole('button', { name: 'Voorbeeld bekijken' }).click()

  // Step 4: forty new pupils, with their diacritics intact.
  await heading(page, 'Voorbeeld Numo gebruikerslijst')
  await page.getByText('Nieuw (40)').waitFor()
  const table = page.getByRole('table', { name: 'Leerlingen na de import' })
  await table.getByText('Çelik').waitFor()
  await table.getByRole('cell', { name: 'Liam ’t Hart' }).waitFor()
  await shot(page, '1-06-preview')
  await page.getByLabel('Zoeken').fill('Öztürk')
  await table.getByRole('cell', { name: 'Ruben Öztürk' }).waitFor()
  await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Leerlingen na de import"] tbody tr').length === 1)
  await shot(page, '1-07-preview-search')
  await page.getByLabel('Zoeken').fill('')
  await page.getByRole('button', { name: 'Importeer' }).click()

  // Step 5: live progress to 100 %.
  await heading(page, 'Importeren')
  await progressReaches100()
  await shot(page, '1-08-progress-done')

  // Step 6: the result and the report.
  await heading(page, 'Resultaat')
  const message = await page.getByTestId('result-message').textContent()
  assert.match(message, /^40 toegevoegd, 0 bijgewerkt, 0 gearchiveerd, 0 geweigerd/)
  const report = page.getByRole('link', { name: 'Verslag downloaden (CSV)' })
  const href = await report.getAttribute('href')
  assert.ok(href, 'the report link has an address')
  const res = await page.request.get(new URL(href, baseURL).toString())
  assert.equal(res.status(), 200)
  await shot(page, '1-09-result')
  await page.getByRole('button', { name: 'Sluiten' }).click()

  // Overview: the class list, then class 1A with its pupils.
  await page.waitForURL(/\/klassen$/)
  await page.getByLabel('Klas zoeken').fill('1A')
  await page.getByRole('link', { name: /^1A/ }).click()
  await heading(page, 'Klas 1A')
  const pupils = page.getByRole('table', { name: 'Klas 1A' })
  await pupils.getByRole('cell', { name: 'Hart, Liam ’t' }).waitFor()
  for (const name of ['Graaf, Zoë de', 'Çelik, Saar', 'Berg, Anouk van der', 'Dijk, Jesse van', 'Smeets, Fenna']) {
    await pupils.getByRole('cell', { name }).waitFor()
  }
  await shot(page, '1-10-class-1A')
  // Sorting by the key header reverses on a second click.
  await pupils.getByRole('button', { name: 'Stamnr.' }).click()
  await pupils.getByRole('button', { name: 'Stamnr.' }).click()
  await page.waitForFunction(() => {
    // The first cell that is not the row's selection checkbox (the class page selects pupils).
    const first = [...document.querySelectorAll('table[aria-label="Klas 1A"] tbody tr:first-child td')].find((td) => !td.querySelector('input'))
    return first?.textContent === '24108'
  })

  await page.setViewportSize({ width: 768, height: 1024 })
  await page.getByLabel('Klas zoeken').fill('')
  await shot(page, '1-11-class-1A-tablet')
  await page.setViewportSize({ width: 1280, height: 800 })
})

test('next year: graduates archived after the typed confirmation, pupils moved up', async () => {
  await openSignedIn(page, '/import')
  await page.locator('input[type="file"]').setInputFiles(fixture('magister_2027_win1252.csv'))
  await page.getByText('puntkomma (;)').waitFor()
  await page.getByRole('button', { name: 'Verder' }).click()
  await heading(page, 'Kolommen koppelen')
  await page.getByRole('button', { name: 'Verder' }).click()

  await heading(page, 'Vervolgacties')
  await page.getByRole('checkbox', { name: 'Archiveer account(s)' }).check()
  await page.getByText('Alleen voor een bestand met de hele school').waitFor()
  await shot(page, '2-01-actions-archive')
  await page.getByRole('button', { name: 'Voorbeeld bekijken' }).click()

  await heading(page, 'Voorbeeld Numo gebruikerslijst')
  await page.getByText('Nieuw (6)').waitFor()
  const importButton = page.getByRole('button', { name: 'Importeer' })
  await page.getByText('Bevestig het archiveren').waitFor()
  assert.ok(await importButton.isDisabled(), 'Importeer waits for the typed confirmation')
  const toArchive = await toArchiveFromGuard()
  archivedByNextYear = toArchive
  assert.ok(toArchive >= 6, `the five graduates and one leaver are archived (got ${toArchive})`)

  // Moved-up pupils show their class change; the archived ones are listed.
  await page.getByText(/^Bijwerken \(/).click()
  const table = page.getByRole('table', { name: 'Leerlingen na de import' })
  await table.getByRole('row').filter({ hasText: 'Anouk van der Berg' }).getByText('2HV1').first().waitFor()
  await shot(page, '2-02-preview-updated')
  await page.getByText(/^Archiveren \(/).click()
  await table.getByRole('cell', { name: 'Hannah Claes' }).waitFor()

  const confirm = page.getByLabel(/^Typ het aantal te archiveren accounts/)
  await confirm.fill(String(toArchive + 1))
  assert.ok(await importButton.isDisabled(), 'a wrong number keeps Importeer disabled')
  await confirm.fill(String(toArchive))
  assert.ok(await importButton.isEnabled(), 'the right number enables Importeer')
  await shot(page, '2-03-preview-guard-confirmed')
  await page.setViewportSize({ width: 768, height: 1024 })
  await shot(page, '2-03b-preview-tablet')
  await page.setViewportSize({ width: 1280, height: 800 })
  await importButton.click()

  // Leaving and coming back (a reload) shows the running or finished import, from the URL.
  await heading(page, 'Importeren')
  const jobUrl = page.url()
  assert.match(jobUrl, /\/import\/[^/]+$/)
  await page.reload()
  await page.getByRole('heading', { name: /^(Importeren|Resultaat)$/ }).waitFor()
  if (await page.getByRole('heading', { name: 'Importeren', exact: true }).isVisible()) await progressReaches100()
  await heading(page, 'Resultaat')
  const message = await page.getByTestId('result-message').textContent()
  assert.match(message, new RegExp(`^6 toegevoegd, \\d+ bijgewerkt, ${toArchive} gearchiveerd, 0 geweigerd`))
  await shot(page, '2-04-result')

  // The archive holds the graduates; the new first years are in 1A.
  await page.getByRole('link', { name: 'Archief' }).click()
  await heading(page, 'Archief')
  await page.getByLabel('Leerling zoeken').fill('Claes')
  await page.getByRole('cell', { name: 'Claes, Hannah' }).waitFor()
  await page.getByLabel('Leerling zoeken').fill('')
  await page.getByRole('cell', { name: 'Ven, Teun van de' }).waitFor()
  await shot(page, '2-05-archive')

  await page.getByRole('link', { name: 'Klassen' }).click()
  await page.getByLabel('Klas zoeken').fill('1A')
  await page.getByRole('link', { name: /^1A/ }).click()
  const pupils = page.getByRole('table', { name: 'Klas 1A' })
  await pupils.getByRole('cell', { name: 'El Amrani, Yara' }).waitFor()
  await pupils.getByRole('cell', { name: 'Fontaine, Maëlle' }).waitFor()
  assert.equal(await pupils.getByRole('cell', { name: 'Berg, Anouk van der' }).count(), 0, 'Anouk moved up to 2HV1')
  await page.getByLabel('Klas zoeken').fill('2HV1')
  await page.getByRole('link', { name: /^2HV1/ }).click()
  await page.getByRole('table', { name: 'Klas 2HV1' }).getByRole('cell', { name: 'Berg, Anouk van der' }).waitFor()
  await shot(page, '2-06-class-2HV1')

  // History: both imports, newest first, each with its report.
  await page.getByRole('link', { name: 'Importgeschiedenis' }).click()
  await heading(page, 'Importgeschiedenis')
  const rows = page.getByRole('table', { name: 'Importgeschiedenis' }).locator('tbody tr')
  await rows.filter({ hasText: 'magister_2027_win1252.csv' }).first().waitFor()
  assert.match(await rows.first().textContent(), /magister_2027_win1252\.csv/)
  assert.match(await rows.filter({ hasText: 'magister_2026_win1252.csv' }).first().textContent(), /40 toegevoegd/)
  await shot(page, '2-07-history')
  await tabletShot(page, '2-08-history-tablet')
})

// Whether the server answers undoPreview/undoImport yet (issue 7): their resolvers panicked with
// "not implemented" while the undo engine was being written. Then the test below is skipped.
const undoResolvers = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../graph/undo.resolvers.go')
const undoPending = (() => {
  try {
    return /not implemented: Undo(Import|Preview)/.test(fs.readFileSync(undoResolvers, 'utf8'))
  } catch {
    return false // testing a server elsewhere (NUMO_URL): assume it has undo
  }
})()
const undoSkip = mock
  ? 'the mock server has no undo'
  : undoPending
    ? 'undoImport/undoPreview still panic("not implemented") in graph/undo.resolvers.go (issue 7 in progress)'
    : false

test('undo the next-year import from the history: the archived pupils are active again, the added ones gone', { skip: undoSkip }, async () => {
  await openSignedIn(page, '/geschiedenis')
  await heading(page, 'Importgeschiedenis')
  const history = page.getByRole('table', { name: 'Importgeschiedenis' })
  const nextYear = history.locator('tbody tr').filter({ has: page.getByRole('link', { name: 'Import magister_2027_win1252.csv openen' }) })
  const undo = nextYear.getByRole('button', { name: 'Import magister_2027_win1252.csv ongedaan maken' })
  await undo.waitFor()
  // Only the newest committed import offers the undo.
  assert.equal(await history.getByRole('button', { name: /ongedaan maken$/ }).count(), 1)
  await undo.click()

  // The preview says what will happen before anything does.
  const dialog = page.getByRole('dialog')
  await dialog.getByText('Import ongedaan maken', { exact: true }).waitFor()
  const reactivate = dialog.getByText(/gearchiveerde accounts worden weer actief$/)
  await reactivate.waitFor()
  assert.match(await reactivate.textContent(), new RegExp(`^${archivedByNextYear} gearchiveerde accounts`))
  assert.match(await dialog.getByText(/toegevoegde accounts worden verwijderd/).textContent(), /^6 toegevoegde/)
  await dialog.getByText(/klassen die de import aanmaakte/).waitFor()
  assert.equal(await dialog.getByText(/na deze import nog gewijzigd/).count(), 0, 'nothing changed after the import')
  await shot(page, '2-09-undo-preview')
  await tabletShot(page, '2-09b-undo-preview-tablet')
  await dialog.getByRole('button', { name: 'Ongedaan maken', exact: true }).click()
  await dialog.waitFor({ state: 'detached' })

  // The history: the import is undone, and the undo is its own entry on top.
  await nextYear.getByText('ongedaan gemaakt', { exact: true }).waitFor()
  const undoRow = history.locator('tbody tr').first()
  await undoRow.getByText('Ongedaan maken van magister_2027_win1252.csv').waitFor()
  assert.match(await undoRow.textContent(), /\d+ teruggezet, 6 verwijderd/)
  await shot(page, '2-10-history-undone')

  // The graduates are active in their class again; the moved-up pupils are back in 1A and the
  // new first years are gone: not in a class, not in the archive (issue 12 point 3).
  await page.getByRole('link', { name: 'Klassen', exact: true }).click()
  await page.getByLabel('Klas zoeken').fill('6V1')
  await page.getByRole('link', { name: /^6V1/ }).click()
  const sixth = page.getByRole('table', { name: 'Klas 6V1' })
  await sixth.getByRole('cell', { name: 'Claes, Hannah' }).waitFor()
  await sixth.getByRole('cell', { name: 'Ven, Teun van de' }).waitFor()
  await shot(page, '2-11-class-6V1-after-undo')
  await page.getByLabel('Klas zoeken').fill('1A')
  await page.getByRole('link', { name: /^1A/ }).click()
  const first = page.getByRole('table', { name: 'Klas 1A' })
  await first.getByRole('cell', { name: 'Berg, Anouk van der' }).waitFor()
  assert.equal(await first.getByRole('cell', { name: 'El Amrani, Yara' }).count(), 0, 'the new first years left 1A')
  await page.getByRole('link', { name: 'Archief' }).click()
  await heading(page, 'Archief')
  await page.getByLabel('Leerling zoeken').fill('El Amrani')
  await page.getByText('0 gearchiveerde accounts', { exact: true }).waitFor()
  assert.equal(await page.getByRole('cell', { name: 'El Amrani, Yara' }).count(), 0, 'the new first years are deleted, not archived')
})


test('rows with errors are refused with line and reason; the rest imports', async () => {
  await openSignedIn(page, '/import')
  await page.locator('input[type="file"]').setInputFiles(fixture('somtoday_utf8_with_errors.csv'))
  await page.getByText('komma (,)').waitFor()
  await page.getByRole('button', { name: 'Verder' }).click()
  await heading(page, 'Kolommen koppelen')
  await page.getByRole('button', { name: 'Verder' }).click()
  await heading(page, 'Vervolgacties')
  await page.getByRole('button', { name: 'Voorbeeld bekijken' }).click()
  await heading(page, 'Voorbeeld Numo gebruikerslijst')
  await page.getByText(/^Geweigerd \([1-9]/).click()
  const table = page.getByRole('table', { name: 'Leerlingen na de import' })
  // Line 3 has no last name: refused, with the line and a reason.
  const line3 = table.getByRole('row').filter({ has: page.getByRole('cell', { name: '3', exact: true }) })
  await line3.waitFor()
  assert.match(await line3.textContent(), /geweigerd/)
  await shot(page, '3-01-preview-refused')
  await page.getByRole('button', { name: 'Importeer' }).click()
  await heading(page, 'Resultaat')
  const refused = page.getByRole('table', { name: /^Geweigerde regels/ })
  await refused.getByRole('row').filter({ hasText: /^3/ }).first().waitFor()
  assert.match(await page.getByTestId('result-message').textContent(), /[1-9] geweigerd/)
  await shot(page, '3-02-result-refused')
})

test('unknown level values block the mapping step until each has a level or "Geen niveau"', async () => {
  await openSignedIn(page, '/import')
  await page.locator('input[type="file"]').setInputFiles(fixture('unknown_levels_utf8.csv'))
  await page.getByText('puntkomma (;)').waitFor()
  await page.getByRole('button', { name: 'Verder' }).click()
  await heading(page, 'Kolommen koppelen')

  // The two values Numo does not know are listed with their counts; "HAVO 4" and "VMBO GL/TL 3" are not.
  const levels = page.getByRole('table', { name: 'Onbekende opleidingsniveaus' })
  await levels.waitFor()
  const rows = levels.locator('tbody tr')
  assert.equal(await rows.count(), 2)
  assert.match(await rows.nth(0).textContent(), /technasium\s*3/)
  assert.match(await rows.nth(1).textContent(), /Kopklas\s*2/)
  const next = page.getByRole('button', { name: 'Verder' })
  const blocked = page.getByText(/Nog te kiezen: “technasium” \(3\), “Kopklas” \(2\)\./)
  await blocked.waitFor()
  assert.ok(await next.isDisabled(), 'Verder is disabled while level values are undecided')
  await levels.scrollIntoViewIfNeeded()
  await shot(page, '5-01-levels-undecided')

  // One mapped to a level, one to "Geen niveau" on purpose: then the admin may continue.
  await choose(page, 'Niveau voor waarde technasium', 'vwo')
  await page.getByText(/Nog te kiezen: “Kopklas” \(2\)\./).waitFor()
  assert.ok(await next.isDisabled(), 'one value left')
  await choose(page, 'Niveau voor waarde Kopklas', 'Geen niveau')
  assert.ok(await next.isEnabled(), 'Verder once every value is decided')
  assert.equal(await page.getByText(/Nog te kiezen/).count(), 0)
  await shot(page, '5-02-levels-decided')
  await next.click()

  await heading(page, 'Vervolgacties')
  await page.getByRole('button', { name: 'Voorbeeld bekijken' }).click()
  await heading(page, 'Voorbeeld Numo gebruikerslijst')
  await page.getByText('Nieuw (7)').waitFor()
  const table = page.getByRole('table', { name: 'Leerlingen na de import' })
  const row = (name) => table.getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) })
  assert.match(await row('Floor Hoekstra').textContent(), /vwo/)
  assert.match(await row('Tim de Lange').textContent(), /havo/)
  assert.match(await row('Ilse Vos').textContent(), /vmbo-gt/)
  assert.doesNotMatch(await row('Joris Post').textContent(), /vwo|havo|vmbo/)
  await shot(page, '5-03-levels-preview')
  await page.getByRole('button', { name: 'Importeer' }).click()
  await heading(page, 'Resultaat')
  assert.match(await page.getByTestId('result-message').textContent(), /7 toegevoegd/)
})

test('no uncaught errors in the browser', () => {
  const real = browser.problems.filter((p) => !/Failed to load resource/.test(p))
  assert.deepEqual(real, [])
})
