// Everyone can use it (issue 17): axe-core finds no serious or critical violation on any page
// of the app — the sign-in page, every step of the import wizard, every page of the admin, the
// teacher and the pupil — in Dutch and in English, at 1280×800 and at 768×1024. A screenshot
// of each page at both sizes lands in e2e/artifacts/a11y-*.png, to look at.
// The file's name puts it after the others (run.sh runs them in name order): it imports its own
// invented class 9Z, which the other files' counts do not expect.
import assert from 'node:assert/strict'
import { after, afterEach, before, test } from 'node:test'
import { axeEverywhere, baseURL, heading, launch, mock, openSignedIn, shot, signIn, gqlAsPage, tabletShot } from './helpers.mjs'

let browser
let page
/** The invented pupils of class 9Z, which this file imports. */
const pupils = [
  ['99101', 'Femke', '', 'Aydın', 'femke.aydin@a11y.example'],
  ['99102', 'Jurre', 'de', 'Wit', 'jurre.dewit@a11y.example'],
  ['99103', 'Noor', 'van', 'Dijk', 'noor.vandijk@a11y.example'],
  ['99104', 'Sem', '', 'Yılmaz', 'sem.yilmaz@a11y.example'],
]
const csv =
  'Stamnr;Roepnaam;Tussenv;Achternaam;Klas;Studie;Leerjaar;E-mail\n' +
  pupils.map(([key, first, infix, last, email]) => `${key};${first};${infix};${last};9Z;HV1;1;${email}`).join('\n') +
  '\n'

before(async () => {
  browser = await launch()
  page = browser.page
})

let testNo = 0
afterEach(async () => {
  await shot(page, `zz-a11y-end-of-test-${++testNo}`).catch(() => {})
})

after(async () => {
  await browser?.close()
})

/** Checks the page everywhere and saves its screenshots; returns the violations. */
async function check(name, ready) {
  if (ready) await ready()
  const found = await axeEverywhere(page, name, ready)
  await shot(page, `a11y-${name}`)
  await tabletShot(page, `a11y-${name}-tablet`)
  return found
}

function assertNone(found) {
  assert.deepEqual(found, [], `${found.length} serious or critical axe violations:\n${found.join('\n')}`)
}

const serverOnly = mock ? 'the stand-in server has no teachers, pupils or Beheer' : false

test('the sign-in page and every step of the import wizard', { skip: serverOnly }, async () => {
  const found = []
  await page.context().clearCookies()
  await page.goto(`${baseURL}/inloggen`)
  found.push(...(await check('login', () => page.getByRole('heading', { level: 1 }).waitFor())))
  await signIn(page)
  await page.goto(`${baseURL}/import`)
  const fileStep = () => page.getByRole('heading', { level: 2 }).first().waitFor()
  found.push(...(await check('import-1-file', fileStep)))
  await page.locator('input[type="file"]').setInputFiles({ name: 'klas-9z.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await page.getByText('puntkomma (;)').waitFor()
  found.push(...(await check('import-1-file-read', () => page.locator('dl').first().waitFor())))
  await page.getByRole('button', { name: 'Verder' }).click()
  await heading(page, 'Kolommen koppelen')
  found.push(...(await check('import-2-mapping', () => page.getByRole('table').first().waitFor())))
  await page.getByRole('button', { name: 'Verder' }).click()
  await heading(page, 'Vervolgacties')
  found.push(...(await check('import-3-actions')))
  await page.getByRole('button', { name: 'Voorbeeld bekijken' }).click()
  await heading(page, 'Voorbeeld Numo gebruikerslijst')
  found.push(...(await check('import-4-preview', () => page.getByRole('table').first().waitFor())))
  await page.getByRole('button', { name: 'Importeer', exact: true }).click()
  await heading(page, 'Resultaat')
  found.push(...(await check('import-6-result')))
  assertNone(found)
})

test('every page of the admin', { skip: serverOnly }, async () => {
  const found = []
  await openSignedIn(page, '/klassen')
  found.push(...(await check('admin-classes', () => page.getByRole('link', { name: /^9Z/ }).first().waitFor())))
  await page.getByLabel('Klas zoeken').fill('9Z')
  await page.getByRole('link', { name: /^9Z/ }).first().click()
  const classTable = () => page.getByRole('table').first().locator('tbody tr').first().waitFor()
  found.push(...(await check('admin-class', classTable)))
  for (const [path, name] of [
    ['/archief', 'admin-archive'],
    ['/geschiedenis', 'admin-history'],
    ['/beheer/instellingen', 'admin-settings'],
    ['/beheer/docenten', 'admin-teachers'],
    ['/beheer/api-sleutels', 'admin-tokens'],
    ['/beheer/exporteren', 'admin-export'],
    ['/beheer/inloggen', 'admin-sso'],
    ['/wachtwoord', 'admin-password'],
  ]) {
    await page.goto(`${baseURL}${path}`)
    await page.getByRole('heading', { level: 1 }).or(page.getByRole('heading', { level: 2 })).first().waitFor()
    await page.getByRole('status').filter({ hasText: /Laden|Loading/ }).waitFor({ state: 'detached' }).catch(() => {})
    found.push(...(await check(name)))
  }
  assertNone(found)
})

/** The 9Z class's id and its first pupil (id, e-mail), read as the admin. */
async function class9Z() {
  const { viewer } = await gqlAsPage(page, 'query { viewer { school { id } } }')
  const data = await gqlAsPage(
    page,
    `query($s: ID!) { node(id: $s) { ... on School { classes(first: 5, where: { name: "9Z" }) { edges { node { id
      pupils(first: 1, orderBy: [{ field: LAST_NAME }]) { edges { node { id email } } } } } } } } }`,
    { s: viewer.school.id },
  )
  const cls = data.node.classes.edges[0].node
  return { schoolId: viewer.school.id, classId: cls.id, pupil: cls.pupils.edges[0].node }
}

/** Signs in with a one-time password, checks the forced "choose your own" page, chooses one. */
async function firstSignIn(username, oneTime, name, found) {
  await page.context().clearCookies()
  await page.goto(`${baseURL}/inloggen`)
  await signIn(page, { username, password: oneTime })
  await heading(page, 'Kies uw eigen wachtwoord')
  found.push(...(await check(`${name}-forced-password`)))
  await page.getByLabel('Eenmalig wachtwoord of startcode (waarmee u net inlogde)').fill(oneTime)
  await page.getByLabel('Nieuw wachtwoord', { exact: true }).fill('Toegankelijk-wachtwoord-2026')
  await page.getByLabel('Nieuw wachtwoord herhalen').fill('Toegankelijk-wachtwoord-2026')
  await page.getByRole('button', { name: 'Wachtwoord opslaan' }).click()
  await page.getByRole('heading', { name: 'Kies uw eigen wachtwoord' }).waitFor({ state: 'detached' })
}

test('every page of a teacher and of a pupil', { skip: serverOnly }, async () => {
  const found = []
  await openSignedIn(page, '/klassen')
  const { schoolId, classId, pupil } = await class9Z()
  const { createTeacher } = await gqlAsPage(
    page,
    'mutation($s: ID!, $i: TeacherInput!) { createTeacher(schoolId: $s, input: $i) { id } }',
    { s: schoolId, i: { firstName: 'Ilse', lastName: 'Toegankelijk', email: 'ilse.a11y@docent.example', username: 'ilse.a11y' } },
  )
  await gqlAsPage(page, 'mutation($t: ID!, $c: [ID!]!) { setTeacherClasses(teacherId: $t, classIds: $c) { id } }', { t: createTeacher.id, c: [classId] })
  const teacherPw = (await gqlAsPage(page, 'mutation($a: ID!) { resetPassword(accountId: $a) }', { a: createTeacher.id })).resetPassword
  const pupilPw = (await gqlAsPage(page, 'mutation($a: ID!) { resetPassword(accountId: $a) }', { a: pupil.id })).resetPassword

  await firstSignIn('ilse.a11y', teacherPw, 'teacher', found)
  await heading(page, 'Mijn klassen')
  found.push(...(await check('teacher-groups', () => page.getByRole('link', { name: /9Z/ }).first().waitFor())))
  await page.getByRole('link', { name: /9Z/ }).first().click()
  found.push(...(await check('teacher-group', () => page.getByRole('table').first().locator('tbody tr').first().waitFor())))
  await page.goto(`${baseURL}/wachtwoord`)
  found.push(...(await check('teacher-password', () => page.getByRole('heading', { level: 1 }).first().waitFor())))

  await firstSignIn(pupil.email, pupilPw, 'pupil', found)
  await heading(page, 'Mijn gegevens')
  found.push(...(await check('pupil-my-data', () => page.getByRole('table').first().waitFor())))
  await page.goto(`${baseURL}/wachtwoord`)
  found.push(...(await check('pupil-password', () => page.getByRole('heading', { level: 1 }).first().waitFor())))
  assertNone(found)
})
