// Everyone can use it (issue 17): the import wizard from upload to result with the keyboard only
// (Tab, Shift+Tab, Enter and Space; no mouse click), focus on each step's heading as it opens,
// and the skip link "Naar de inhoud". The file's name puts it after the others (run.sh runs them
// in name order): it imports its own invented class 9K.
import assert from 'node:assert/strict'
import { after, afterEach, before, test } from 'node:test'
import { admin, baseURL, launch, mock, shot } from './helpers.mjs'

let browser
let page

before(async () => {
  browser = await launch()
  page = browser.page
})

let testNo = 0
afterEach(async () => {
  await shot(page, `zz-keyboard-end-of-test-${++testNo}`).catch(() => {})
})

after(async () => {
  await browser?.close()
})

const csv =
  'Stamnr;Roepnaam;Tussenv;Achternaam;Klas;Studie;Leerjaar;E-mail\n' +
  '98101;Lotte;;Bakır;9K;HV1;1;lotte.bakir@toetsenbord.example\n' +
  '98102;Milan;van;Os;9K;HV1;1;milan.vanos@toetsenbord.example\n' +
  '98103;Zeynep;;Şahin;9K;HV1;1;zeynep.sahin@toetsenbord.example\n'

/** What has keyboard focus: its tag, and its name as a person would hear it. */
async function focused() {
  return page.evaluate(() => {
    const el = document.activeElement
    if (!el || el === document.body) return { tag: 'BODY', name: '' }
    const label = el.labels?.[0]?.textContent ?? ''
    const name = (el.getAttribute('aria-label') || label || el.textContent || '').replace(/\s+/g, ' ').trim()
    return { tag: el.tagName, name }
  })
}

/** Waits until focus is on a heading whose text is name (the step or page that just opened). */
async function focusOnHeading(name) {
  await page.waitForFunction(
    (n) => /^H[1-6]$/.test(document.activeElement?.tagName ?? '') && document.activeElement.textContent.trim() === n,
    name,
    { timeout: 15_000 },
  ).catch(async () => assert.fail(`focus is not on the heading "${name}" but on ${JSON.stringify(await focused())}`))
}

/** Presses Tab until the focused element's name matches name; fails after max presses. */
async function tabTo(name, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab')
    const f = await focused()
    if (typeof name === 'string' ? f.name === name : name.test(f.name)) return f
  }
  assert.fail(`Tab never reached ${name}`)
}

test('the skip link is the first stop and jumps past the menu to the page', { skip: mock && 'the stand-in server signs in differently' }, async () => {
  await page.context().clearCookies()
  await page.goto(`${baseURL}/inloggen`)
  // Signing in with the keyboard: Tab to each field, type, Enter.
  await page.getByRole('heading', { name: 'Inloggen', exact: true }).waitFor()
  await tabTo('Gebruikersnaam of e-mailadres', 20)
  await page.keyboard.type(admin.username)
  await page.keyboard.press('Tab')
  await page.keyboard.type(admin.password)
  await page.keyboard.press('Enter')
  await page.waitForURL((u) => u.pathname === '/import')
  await focusOnHeading('Importeren — bestand kiezen')

  // Back to the top of the document, as after a page load (blur() would leave Tab's starting point at the heading).
  await page.evaluate(() => {
    document.body.tabIndex = -1
    document.body.focus()
    document.body.removeAttribute('tabindex')
  })
  await page.keyboard.press('Tab')
  assert.deepEqual(await focused(), { tag: 'A', name: 'Naar de inhoud' })
  assert.ok(await page.getByRole('link', { name: 'Naar de inhoud' }).isVisible(), 'the skip link shows when it has focus')
  await shot(page, 'k-00-skip-link')
  await page.keyboard.press('Enter')
  await focusOnHeading('Importeren — bestand kiezen')
})

test('the import wizard from upload to result with Tab, Enter and Space only', { skip: mock && 'the stand-in server has no teachers' }, async () => {
  await page.goto(`${baseURL}/import`)
  await focusOnHeading('Importeren — bestand kiezen')

  // Step 1: Tab to the drop zone, Enter opens the file chooser.
  await tabTo(/^Sleep het bestand hierheen of klik om te kiezen/)
  let chooser
  for (let attempt = 0; !chooser && attempt < 2; attempt++) {
    ;[chooser] = await Promise.all([
      page.waitForEvent('filechooser', { timeout: 5_000 }).catch(() => undefined),
      page.keyboard.press('Enter'),
    ])
  }
  assert.ok(chooser, 'Enter on the drop zone opens the file chooser')
  await chooser.setFiles({ name: 'klas-9k.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  // After the upload the file step shows what it read, and focus is on its heading (it was on <body>).
  await page.getByText('puntkomma (;)').waitFor()
  await focusOnHeading('Importeren — bestand kiezen')
  await shot(page, 'k-01-file-read')
  await tabTo('Verder')
  await page.keyboard.press('Enter')

  // Step 2: the mapping; every column is recognised.
  await focusOnHeading('Kolommen koppelen')
  await tabTo('Verder')
  await page.keyboard.press('Enter')

  // Step 3: the actions; add and update are ticked. Space toggles archiving on and off again.
  await focusOnHeading('Vervolgacties')
  await tabTo(/^Archiveer account\(s\)/)
  await page.keyboard.press('Space')
  assert.ok(await page.getByRole('checkbox', { name: 'Archiveer account(s)' }).isChecked(), 'Space ticks the box')
  await page.keyboard.press('Space')
  assert.ok(!(await page.getByRole('checkbox', { name: 'Archiveer account(s)' }).isChecked()), 'Space unticks it')
  await tabTo('Voorbeeld bekijken')
  await page.keyboard.press('Enter')

  // Step 4: the preview, then Importeer.
  await focusOnHeading('Voorbeeld Numo gebruikerslijst')
  await page.getByText('Nieuw (3)').waitFor()
  await shot(page, 'k-04-preview')
  await tabTo('Importeer')
  await page.keyboard.press('Enter')

  // Steps 5 and 6: the progress, then the result with focus on its heading.
  await focusOnHeading('Resultaat')
  assert.match(await page.getByTestId('result-message').textContent(), /3 toegevoegd/)
  await shot(page, 'k-06-result')
  await tabTo('Sluiten')
  await page.keyboard.press('Space')
  await page.waitForURL((u) => u.pathname === '/klassen')
  await focusOnHeading('Klassen')
})
