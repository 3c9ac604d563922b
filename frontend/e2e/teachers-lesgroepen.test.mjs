// Issue 14, end to end against a running Numo (NUMO_URL): a pupil export with a Lesgroepen
// column through the wizard (new lesgroepen, then an update that moves pupils between groups,
// shown per group in the preview), a teacher export recognised as teachers (teaches, mentor of),
// the Klassen page with stamklassen and lesgroepen, and one of those teachers signing in and
// seeing exactly the pupils of their groups. Fixtures: e2e/fixtures/lesgroepen_*.csv (invented
// people, stamklassen 4HA/4HB that the other files do not use). Runs after roles.test.mjs.
import assert from 'node:assert/strict'
import { after, afterEach, before, test } from 'node:test'
import { baseURL, fixture, heading, launch, mock, openSignedIn, shot, signIn, signOut, tabletShot } from './helpers.mjs'

let browser
let page

before(async () => {
  browser = await launch()
  page = browser.page
})

let testNo = 0
afterEach(async () => {
  await shot(page, `zz-teachers-end-of-test-${++testNo}`).catch(() => {})
})

after(async () => {
  await browser?.close()
})

const skip = mock ? 'the mock server does not plan lesgroepen or teachers' : false

/** Uploads a fixture and waits for the mapping step. */
async function uploadToMapping(name) {
  await openSignedIn(page, '/import')
  await heading(page, 'Importeren — bestand kiezen')
  await page.locator('input[type="file"]').setInputFiles(fixture(name))
  await page.getByText('puntkomma (;)').waitFor()
  await page.getByRole('button', { name: 'Verder' }).click()
  await heading(page, 'Kolommen koppelen')
  await page.getByText('Verplichte velden:').waitFor()
}

/** From the mapping step with the default actions (add, update) to the preview. */
async function mappingToPreview() {
  await page.getByRole('button', { name: 'Verder' }).click()
  await heading(page, 'Vervolgacties')
  await page.getByRole('button', { name: 'Voorbeeld bekijken' }).click()
  await heading(page, 'Voorbeeld Numo gebruikerslijst')
}

/** Imports from the preview and waits for the result. */
async function importAndWait() {
  await page.getByRole('button', { name: 'Importeer' }).click()
  await heading(page, 'Resultaat')
  return page.getByTestId('result-message').textContent()
}

/** The field chosen for a column in the mapping step. */
async function fieldOf(column) {
  return page.getByRole('combobox', { name: `Veld voor kolom ${column}`, exact: true }).inputValue()
}

test('a pupil file with lesgroepen: the groups are created and the pupils put in them', { skip }, async () => {
  await uploadToMapping('lesgroepen_leerlingen.csv')
  assert.match(await page.getByTestId('file-kind').textContent(), /Dit bestand bevat leerlingen/)
  assert.equal(await fieldOf('Lesgroepen'), 'Lesgroepen')
  await mappingToPreview()
  const summary = page.getByTestId('group-summary')
  await summary.waitFor()
  assert.match(await summary.textContent(), /16 plaatsen in lesgroepen erbij/)
  for (const g of ['4ha.ne1', '4hb.ne1', '4h.en1', '4h.en2', '4h.wiB1', '4h.ak1']) {
    await summary.getByText(g, { exact: true }).waitFor()
  }
  await shot(page, 't-01-preview-new-groups')
  const message = await importAndWait()
  assert.match(message, /^6 toegevoegd/)
  assert.match(await page.getByTestId('group-counts').textContent(), /16 plaatsen in lesgroepen erbij/)
  await shot(page, 't-02-result-groups')
})

test('an update moves pupils between lesgroepen: the preview shows it per group', { skip }, async () => {
  await uploadToMapping('lesgroepen_leerlingen_wissel.csv')
  await mappingToPreview()
  assert.match(await page.getByTestId('group-counts').textContent(), /2 plaatsen in lesgroepen erbij, 2 plaatsen in lesgroepen eraf/)
  const table = page.getByRole('table', { name: 'Leerlingen na de import' })
  const sven = table.locator('tbody tr').filter({ hasText: 'Mertens' })
  await sven.locator('[data-change="left"]', { hasText: '4h.en1' }).waitFor()
  await sven.locator('[data-change="joined"]', { hasText: '4h.en2' }).waitFor()
  const ilse = table.locator('tbody tr').filter({ hasText: 'Vermeulen' })
  await ilse.locator('[data-change="left"]', { hasText: '4h.wiB1' }).waitFor()
  await ilse.locator('[data-change="joined"]', { hasText: '4h.ak1' }).waitFor()
  assert.equal(await ilse.locator('[data-change="left"] [data-name]').evaluate((el) => getComputedStyle(el).textDecorationLine), 'line-through')
  await page.getByText(/^Bijwerken \(/).click()
  await table.locator('tbody tr').filter({ hasText: 'Vermeulen' }).waitFor()
  await shot(page, 't-03-preview-group-changes')
  await tabletShot(page, 't-03b-preview-group-changes-tablet')
  assert.match(await importAndWait(), /2 bijgewerkt/)
})

test('a teacher file is recognised as teachers, with teacher fields, and links them to their groups', { skip }, async () => {
  await uploadToMapping('lesgroepen_docenten.csv')
  assert.match(await page.getByTestId('file-kind').textContent(), /Dit bestand bevat docenten/)
  assert.ok(await page.getByRole('radio', { name: 'Docenten' }).isChecked())
  assert.equal(await fieldOf('Code'), 'Docentcode *')
  assert.equal(await fieldOf('Lesgroepen'), 'Lesgroepen en klassen')
  assert.equal(await fieldOf('Mentorklas'), 'Mentor van')
  await shot(page, 't-04-mapping-teachers')
  await tabletShot(page, 't-04b-mapping-teachers-tablet')
  // The admin can say otherwise: as pupils, the pupil fields are offered (and Stamnr. is missing);
  // back to teachers, the teacher mapping is proposed again.
  const banner = page.getByTestId('file-kind')
  await banner.getByText('Leerlingen', { exact: true }).click()
  await banner.getByText('Dit bestand bevat leerlingen').waitFor()
  await page.getByText(/^Het verplichte veld “.+” is aan geen enkele kolom gekoppeld\.$/).first().waitFor()
  assert.ok(await page.getByRole('button', { name: 'Verder' }).isDisabled(), 'a teacher file read as pupils lacks the pupil number')
  await banner.getByText('Docenten', { exact: true }).click()
  await banner.getByText('Dit bestand bevat docenten').waitFor()
  assert.equal(await fieldOf('Code'), 'Docentcode *')
  await mappingToPreview()
  await page.getByRole('table', { name: 'Docenten na de import' }).locator('tbody tr').first().waitFor()
  assert.match(await page.getByText(/^\d+ docent(en)?$/).textContent(), /^4 docenten$/)
  assert.match(await page.getByTestId('group-counts').textContent(), /koppelingen van docenten aan groepen erbij/)
  assert.equal(await page.getByText(/leerling/i).count(), 0, 'a teacher import speaks of docenten only')
  await shot(page, 't-05-preview-teachers')
  await tabletShot(page, 't-05b-preview-teachers-tablet')
  const message = await importAndWait()
  assert.match(message, /^4 toegevoegd/)
  await heading(page, 'Resultaat')
  await page.getByText(/De docenten uit lesgroepen_docenten\.csv zijn geïmporteerd/).waitFor()
  await shot(page, 't-06-result-teachers')
})

test('Klassen: stamklassen and lesgroepen apart; a lesgroep shows its members and teachers', { skip }, async () => {
  await openSignedIn(page, '/klassen')
  await heading(page, 'Klassen')
  await page.getByLabel('Klas zoeken').fill('4h')
  const list = page.getByRole('navigation', { name: 'Klassen' })
  await list.getByRole('link', { name: /^4h\.en1/ }).waitFor()
  await page.getByText('Lesgroepen', { exact: true }).click()
  await list.getByRole('link', { name: /^4HA/ }).waitFor({ state: 'detached' })
  await list.getByRole('link', { name: /^4h\.en1/ }).click()
  const table = page.getByRole('table', { name: 'Lesgroep 4h.en1' })
  await table.locator('tbody tr').first().waitFor()
  const names = await table.locator('tbody tr').allTextContents()
  assert.equal(names.length, 2, names.join(' | '))
  assert.ok(names.some((n) => n.includes('Vermeulen')) && names.some((n) => n.includes('Rossum')))
  await page.getByTestId('class-teachers').getByText('Joost Brands').waitFor()
  await shot(page, 't-07-klassen-lesgroep')
  // The stamklas 4HA: its mentor is marked, each pupil's lesgroepen are shown.
  await page.getByText('Stamklassen', { exact: true }).click()
  await list.getByRole('link', { name: /^4HA/ }).click()
  const klas = page.getByRole('table', { name: 'Klas 4HA' })
  await klas.locator('tbody tr').first().waitFor()
  await page.getByTestId('class-teachers').getByText('Joost Brands (mentor)').waitFor()
  assert.match(await klas.locator('tbody tr').filter({ hasText: 'Vermeulen' }).textContent(), /4h\.ak1/)
  await shot(page, 't-08-klassen-stamklas')
})

test('a teacher of the file signs in and sees exactly the pupils of their groups', { skip }, async () => {
  // The admin gives Joost Brands (teaches 4h.en1, mentor of 4HA) a one-time password.
  await openSignedIn(page, '/beheer/docenten')
  await heading(page, 'Beheer')
  await page.getByRole('button', { name: 'Nieuw wachtwoord voor Joost Brands' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByRole('button', { name: 'Eenmalig wachtwoord maken' }).click()
  const oneTime = (await dialog.getByTestId('secret-value').textContent()).trim()
  await dialog.getByRole('button', { name: 'Ik heb het bewaard — sluiten' }).click()
  await signOut(page)

  await signIn(page, { username: 'j.brands@docent.talent.example', password: oneTime })
  await heading(page, 'Kies uw eigen wachtwoord')
  await page.getByLabel('Eenmalig wachtwoord of startcode (waarmee u net inlogde)').fill(oneTime)
  await page.getByLabel('Nieuw wachtwoord', { exact: true }).fill('Brands-eigen-wachtwoord-2026')
  await page.getByLabel('Nieuw wachtwoord herhalen').fill('Brands-eigen-wachtwoord-2026')
  await page.getByRole('button', { name: 'Wachtwoord opslaan' }).click()
  await heading(page, 'Mijn klassen')
  assert.equal(new URL(page.url()).pathname, '/mijn-klassen')

  const groups = page.getByRole('navigation', { name: 'Klassen' }).getByRole('link')
  await groups.first().waitFor()
  const groupNames = (await page.getByRole('navigation', { name: 'Klassen' }).locator('.mantine-NavLink-label').allTextContents()).map((s) => s.trim())
  assert.deepEqual(groupNames.sort(), ['4HA', '4h.en1'].sort(), `groups: ${groupNames.join(', ')}`)
  assert.match(await groups.filter({ hasText: '4HA' }).textContent(), /Mentor/, '4HA is marked as the class Brands mentors')
  const main = page.locator('main')
  // 4h.en1 (after the update): Ilse Vermeulen, Tim van Rossum; 4HA: Ilse, Tim, Yara el Amrani.
  for (const name of ['Vermeulen', 'Rossum', 'Amrani']) await main.getByText(name, { exact: true }).first().waitFor()
  // Sven left 4h.en1; Koen and Lara are in 4HB and groups Brands does not teach; the 1A pupils of the other tests.
  for (const name of ['Mertens', 'Smit', 'Wit', 'Berg', 'Brouwer']) {
    assert.equal(await main.getByText(name, { exact: true }).count(), 0, `${name} is not a pupil of Brands`)
  }
  await shot(page, 't-09-teacher-view')
  await tabletShot(page, 't-09b-teacher-view-tablet')

  // The API says the same: the teacher reads no pupil outside their groups.
  const res = await page.request.post(`${baseURL}/query`, {
    headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'numo' },
    data: { query: '{ accounts(first: 100, where: { role: PUPIL }) { edges { node { lastName } } } }' },
  })
  const body = await res.json()
  const seen = (body.data?.accounts?.edges ?? []).map((e) => e.node.lastName).sort()
  assert.deepEqual(seen, ['Amrani', 'Rossum', 'Vermeulen'], JSON.stringify(body.errors ?? seen))

  // A lesgroep's table gives each pupil's own stamklas (not the lesgroep).
  const en1 = page.getByRole('table', { name: 'Lesgroep 4h.en1' })
  assert.match(await en1.locator('tbody tr').filter({ hasText: 'Vermeulen' }).textContent(), /4HA/, 'Ilse Vermeulen is in stamklas 4HA')
})

test('no uncaught errors in the browser', () => {
  const real = browser.problems.filter((p) => !/Failed to load resource/.test(p))
  assert.deepEqual(real, [])
})
