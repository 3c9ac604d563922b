// Signing in and what each role sees, against a running Numo (NUMO_URL): the login page's
// errors, a session that ends, Beheer (retention settings, API tokens, teachers), a teacher's
// read-only classes, a pupil's own data, and erasing a pupil. run.sh passes the test files in
// name order, so this runs after import.test.mjs: class 1A then holds imported pupils with
// e-mail addresses (the demo school's own pupils have none).
import assert from 'node:assert/strict'
import { after, afterEach, before, test } from 'node:test'
import { admin, baseURL, heading, launch, mock, openSignedIn, shot, signIn, signOut, tabletShot } from './helpers.mjs'

let browser
let page

before(async () => {
  browser = await launch()
  page = browser.page
})

let testNo = 0
afterEach(async () => {
  await shot(page, `zz-roles-end-of-test-${++testNo}`).catch(() => {})
})

after(async () => {
  await browser?.close()
})

const serverOnly = mock ? 'the mock server has no Beheer, teachers or pupils signing in' : false

/** The main navigation's link names. */
async function navLinks() {
  return page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link').allTextContents()
}

/** Fills in the forced "choose your own password" form and waits until the app continues. */
async function chooseOwnPassword(oneTime, next) {
  await heading(page, 'Kies uw eigen wachtwoord')
  await page.getByLabel('Eenmalig wachtwoord of startcode (waarmee u net inlogde)').fill(oneTime)
  await page.getByLabel('Nieuw wachtwoord', { exact: true }).fill(next)
  await page.getByLabel('Nieuw wachtwoord herhalen').fill(next)
  await page.getByRole('button', { name: 'Wachtwoord opslaan' }).click()
  await page.getByRole('heading', { name: 'Kies uw eigen wachtwoord' }).waitFor({ state: 'detached' })
}

/** Opens class 1A in the admin's class overview and returns its pupils table. */
async function openClass1A() {
  await page.getByLabel('Klas zoeken').fill('1A')
  await page.getByRole('link', { name: /^1A/ }).click()
  const table = page.getByRole('table', { name: 'Klas 1A' })
  await table.locator('tbody tr').first().waitFor()
  return table
}

test('login page: a wrong password is refused with a message, the right one goes where the admin was going', async () => {
  await page.context().clearCookies()
  await page.goto(`${baseURL}/geschiedenis`)
  await heading(page, 'Inloggen')
  assert.equal(new URL(page.url()).pathname, '/inloggen')
  await shot(page, 'r-01-login')
  await tabletShot(page, 'r-01b-login-tablet')

  // Nothing filled in: each field says what is missing.
  await page.getByRole('button', { name: 'Inloggen', exact: true }).click()
  await page.getByText('Vul uw gebruikersnaam of e-mailadres in.').waitFor()

  // A wrong password: one plain message, announced, and the password field emptied for a retry.
  await page.getByLabel('Gebruikersnaam of e-mailadres').fill(admin.username)
  await page.getByLabel('Wachtwoord', { exact: true }).fill('dit-is-niet-het-wachtwoord')
  await page.getByRole('button', { name: 'Inloggen', exact: true }).click()
  const alert = page.getByRole('alert').filter({ hasText: 'Inloggen is niet gelukt' })
  await alert.waitFor()
  assert.match(await alert.textContent(), /De gebruikersnaam of het wachtwoord klopt niet/)
  assert.equal(await page.getByLabel('Wachtwoord', { exact: true }).inputValue(), '')
  assert.ok(await page.getByLabel('Wachtwoord', { exact: true }).evaluate((el) => el === document.activeElement), 'focus is back on the password')
  await shot(page, 'r-02-login-wrong-password')
  // The language toggle works before signing in too.
  await page.getByText('EN', { exact: true }).click()
  await page.getByRole('alert').filter({ hasText: 'The username or password is not right' }).waitFor()
  await shot(page, 'r-02b-login-wrong-password-english')
  await page.getByText('NL', { exact: true }).click()

  await page.getByLabel('Wachtwoord', { exact: true }).fill(admin.password)
  await page.getByRole('button', { name: 'Inloggen', exact: true }).click()
  await heading(page, 'Importgeschiedenis')
  assert.equal(new URL(page.url()).pathname, '/geschiedenis', 'back where the admin was going')
  assert.match(await page.getByTestId('viewer-school').textContent(), /\(99XX\)/)
  assert.ok((await page.getByTestId('viewer-name').textContent()).trim().length > 0)
  assert.deepEqual(await navLinks(), ['Importeren', 'Klassen', 'Archief', 'Importgeschiedenis', 'Beheer', 'Mijn wachtwoord'])

  await signOut(page)
  await page.getByText('U bent afgemeld.').waitFor()
  await shot(page, 'r-03-signed-out')
})

test('a session that has ended sends the admin to the login page, and back after signing in', async () => {
  await openSignedIn(page, '/klassen')
  await heading(page, 'Klassen')
  // The server forgets the session (as at its expiry); the next request is refused.
  await page.context().clearCookies()
  await page.getByRole('link', { name: 'Archief' }).click()
  await page.getByText('Uw sessie is verlopen. Log opnieuw in; daarna gaat u verder waar u was.').waitFor()
  await shot(page, 'r-04-session-expired')
  await signIn(page)
  await heading(page, 'Archief')
  assert.equal(new URL(page.url()).pathname, '/archief')
})

/** The one-time password of the teacher added in Beheer, for the teacher's own test. */
let teacher = null

test('Beheer: retention settings, an API token shown once and revoked, a teacher with classes', { skip: serverOnly }, async () => {
  await openSignedIn(page, '/beheer/instellingen')
  await heading(page, 'Beheer')

  // Settings: an out-of-range term is refused before saving; a valid one is saved.
  const archived = page.getByLabel('Gearchiveerde accounts bewaren')
  // The retention form's button (the login letters' settings below it have their own).
  const save = page.getByRole('form', { name: 'Instellingen' }).getByRole('button', { name: 'Instellingen opslaan' })
  assert.ok(await save.isDisabled(), 'nothing to save yet')
  await archived.fill('10')
  await page.getByText('Kies een heel getal van 30 tot en met 3650.').waitFor()
  assert.ok(await save.isDisabled())
  // 548 days: the audit log's default of 365 already shows "≈ 1 jaar" beside its own field.
  assert.equal(await page.getByLabel('Logboek bewaren').inputValue(), '365 dagen')
  await archived.fill('548')
  await page.getByText('≈ 1,5 jaar').waitFor()
  await shot(page, 'r-05-settings')
  await save.click()
  await page.getByText('De instellingen zijn opgeslagen.').waitFor()
  await page.reload()
  await page.getByLabel('Gearchiveerde accounts bewaren').waitFor()
  assert.equal(await page.getByLabel('Gearchiveerde accounts bewaren').inputValue(), '548 dagen')
  await tabletShot(page, 'r-05b-settings-tablet')

  // API tokens: the secret is shown once, it works, and after revoking it no longer does.
  await page.getByRole('tab', { name: 'API-sleutels' }).click()
  await page.getByRole('button', { name: 'Nieuwe API-sleutel' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('Naam').fill('Leerplatform (e2e)')
  await dialog.getByRole('checkbox', { name: 'Klassen en leerlingen lezen' }).waitFor()
  assert.ok(await dialog.getByRole('checkbox', { name: 'Klassen en leerlingen lezen' }).isChecked(), 'reading is the default')
  await shot(page, 'r-06-token-new')
  await dialog.getByRole('button', { name: 'Sleutel maken' }).click()
  const secret = (await dialog.getByTestId('secret-value').textContent()).trim()
  assert.match(secret, /^numo_tok_/)
  await dialog.getByText('Wordt maar één keer getoond').waitFor()
  await shot(page, 'r-07-token-secret')
  await tabletShot(page, 'r-07b-token-secret-tablet')
  const asToken = () =>
    page.request.post(`${baseURL}/query`, {
      headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
      data: { query: '{ classes(first: 5) { totalCount } }' },
    })
  const ok = await asToken()
  assert.equal(ok.status(), 200)
  assert.ok((await ok.json()).data.classes.totalCount > 0, 'the token reads the classes')
  await dialog.getByRole('button', { name: 'Ik heb het bewaard — sluiten' }).click()
  const tokens = page.getByRole('table', { name: 'API-sleutels' })
  const row = tokens.locator('tbody tr').filter({ hasText: 'Leerplatform (e2e)' })
  await row.getByText(secret.slice(0, 13)).waitFor()
  assert.equal(await tokens.getByText(secret).count(), 0, 'the whole secret is never shown again')
  await row.getByRole('button', { name: 'API-sleutel Leerplatform (e2e) intrekken' }).click()
  await dialog.getByText('Systemen die deze sleutel gebruiken, krijgen direct geen toegang meer.', { exact: false }).waitFor()
  await shot(page, 'r-08-token-revoke')
  await dialog.getByRole('button', { name: 'Sleutel intrekken' }).click()
  await row.getByText('ingetrokken', { exact: true }).waitFor()
  assert.equal((await asToken()).status(), 401, 'a revoked token is refused')
  await shot(page, 'r-09-tokens')

  // Teachers: add one with a class; the one-time password is shown once.
  await page.getByRole('tab', { name: 'Docenten' }).click()
  await page.getByRole('button', { name: 'Docent toevoegen' }).click()
  await dialog.getByLabel('Voornaam').fill('Els')
  await dialog.getByLabel('Achternaam').fill('Bakker')
  await dialog.getByLabel('E-mailadres').fill('els.bakker@talent.example')
  assert.equal(await dialog.getByLabel('Gebruikersnaam').inputValue(), 'els.bakker', 'suggested from the e-mail address')
  await dialog.getByLabel('Klassen', { exact: true }).click()
  await page.getByRole('option', { name: '1A', exact: true }).click()
  await page.keyboard.press('Escape')
  await shot(page, 'r-10-teacher-add')
  await dialog.getByRole('button', { name: 'Docent toevoegen' }).click()
  const oneTime = (await dialog.getByTestId('secret-value').textContent()).trim()
  assert.ok(oneTime.length >= 10)
  teacher = { username: 'els.bakker', oneTime }
  await shot(page, 'r-11-teacher-added')
  await tabletShot(page, 'r-11b-teacher-added-tablet')
  await dialog.getByRole('button', { name: 'Ik heb het bewaard — sluiten' }).click()
  const teachers = page.getByRole('table', { name: 'Docenten' })
  const els = teachers.locator('tbody tr').filter({ hasText: 'Els Bakker' })
  await els.getByText('1A', { exact: true }).waitFor()
  await shot(page, 'r-12-teachers')
  await tabletShot(page, 'r-12b-teachers-tablet')
})

test('a teacher signs in with the one-time password, chooses a password and sees only their class, read-only', { skip: serverOnly }, async () => {
  assert.ok(teacher, 'the Beheer test added the teacher')
  await page.context().clearCookies()
  await page.goto(`${baseURL}/mijn-klassen`)
  await signIn(page, { username: teacher.username, password: teacher.oneTime })
  await shot(page, 'r-13-teacher-own-password')
  const own = 'Els-eigen-wachtwoord-2026'
  await chooseOwnPassword(teacher.oneTime, own)
  await heading(page, 'Mijn klassen')
  assert.deepEqual(await navLinks(), ['Mijn klassen', 'Mijn wachtwoord'])
  const classes = page.getByRole('navigation', { name: 'Klassen' }).getByRole('link')
  await classes.first().waitFor()
  assert.equal(await classes.count(), 1, 'only the class the teacher teaches')
  assert.match(await classes.first().textContent(), /^1A/)
  await classes.first().click()
  const table = page.getByRole('table', { name: 'Klas 1A' })
  await table.locator('tbody tr').first().waitFor()
  assert.equal(await table.getByRole('button', { name: /^Acties voor / }).count(), 0, 'read-only: no row actions')
  await shot(page, 'r-14-teacher-classes')

  // Pages of other roles are not there for a teacher.
  await page.goto(`${baseURL}/import`)
  await heading(page, 'Mijn klassen')
  assert.equal(new URL(page.url()).pathname, '/mijn-klassen')

  // The new password is the one that works now.
  await signOut(page)
  await signIn(page, { username: teacher.username, password: own })
  await heading(page, 'Mijn klassen')
})

test('the admin gives a pupil a one-time password; the pupil sees only their own data', { skip: serverOnly }, async (t) => {
  await openSignedIn(page, '/klassen')
  const table = await openClass1A()
  const row = table.locator('tbody tr').filter({ hasText: '@' }).first()
  const menu = row.getByRole('button', { name: /^Acties voor / })
  const name = (await menu.getAttribute('aria-label')).replace(/^Acties voor /, '')
  const email = (await row.getByText(/@/).textContent()).trim()
  await menu.click()
  await page.getByRole('menuitem', { name: 'Gegevens downloaden' }).waitFor()
  await shot(page, 'r-15-pupil-menu')
  await page.getByRole('menuitem', { name: 'Nieuw wachtwoord' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByRole('button', { name: 'Eenmalig wachtwoord maken' }).click()
  const oneTime = (await dialog.getByTestId('secret-value').textContent()).trim()
  await dialog.getByRole('button', { name: 'Ik heb het bewaard — sluiten' }).click()

  await signOut(page)
  await signIn(page, { username: email, password: oneTime })
  await chooseOwnPassword(oneTime, 'Leerling-wachtwoord-123')
  await heading(page, 'Mijn gegevens')
  assert.deepEqual(await navLinks(), ['Mijn gegevens', 'Mijn wachtwoord'])
  const data = page.getByRole('table', { name: 'Mijn gegevens' })
  await data.getByRole('cell', { name, exact: true }).waitFor()
  await data.getByRole('cell', { name: '1A', exact: true }).waitFor()
  await data.getByRole('cell', { name: email, exact: true }).waitFor()
  await shot(page, 'r-16-pupil-my-data')

  // The download of all their data (the AVG right of access).
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 8_000 }).catch(() => null),
    page.getByRole('button', { name: 'Al mijn gegevens downloaden (JSON)' }).click(),
  ])
  if (download) {
    const file = await download.path()
    const json = JSON.parse(await (await import('node:fs/promises')).readFile(file, 'utf8'))
    assert.ok(JSON.stringify(json).includes(email), 'the export holds the pupil')
  } else {
    const problem = await page.getByText('De gegevens konden niet worden gedownload').textContent().catch(() => '')
    t.diagnostic(`no download: ${problem || 'no message either'}`)
    assert.fail('the pupil could not download their data')
  }
})

test('the admin erases a pupil for good after typing the name', { skip: serverOnly }, async () => {
  await openSignedIn(page, '/klassen')
  const table = await openClass1A()
  const rows = table.locator('tbody tr')
  const before = await rows.count()
  const menu = rows.last().getByRole('button', { name: /^Acties voor / })
  const name = (await menu.getAttribute('aria-label')).replace(/^Acties voor /, '')
  await menu.click()
  await page.getByRole('menuitem', { name: 'Definitief verwijderen' }).click()
  const dialog = page.getByRole('dialog')
  const erase = dialog.getByRole('button', { name: 'Definitief verwijderen' })
  const typed = dialog.getByLabel(/^Typ de naam van de leerling/)
  assert.ok(await erase.isDisabled(), 'nothing typed yet')
  await typed.fill('Iemand Anders Dan Deze Leerling')
  assert.ok(await erase.isDisabled(), 'another name keeps it disabled')
  // As typed on a Dutch keyboard: capitals, no accents, i for ı (Çelik, Yılmaz).
  await typed.fill(name.normalize('NFKD').replace(/\p{M}/gu, '').replace(/ı/g, 'i').toUpperCase())
  assert.ok(await erase.isEnabled(), 'the name (in capitals, without accents) enables it')
  await shot(page, 'r-17-erase-pupil')
  await tabletShot(page, 'r-17b-erase-pupil-tablet')
  await erase.click()
  await page.getByText(`${name} is definitief verwijderd.`).waitFor()
  await page.waitForFunction(
    ([label, n]) => document.querySelectorAll(`table[aria-label="${label}"] tbody tr`).length === n,
    ['Klas 1A', before - 1],
  )
})

test('no uncaught errors in the browser', () => {
  const real = browser.problems.filter((p) => !/Failed to load resource/.test(p))
  assert.deepEqual(real, [])
})
