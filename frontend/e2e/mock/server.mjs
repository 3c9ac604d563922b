// A stand-in for `numo serve` while the Go import API is being written: the real schema
// (../graph/*.graphql), in-memory data, the same transports (POST + multipart uploads on /query,
// graphql-transport-ws on /query, the report CSV on /api/...), and dist/ with the SPA fallback.
// It follows the schema's documented contract, not the Go code: the e2e tests are meant for the
// real binary (e2e/run.sh); this only lets the app be exercised before that answers.
// Signing in: POST /api/login as the admin "beheer" with NUMO_E2E_ADMIN_PASSWORD (what run.sh
// sets) sets a session cookie; without one, every operation but `viewer` is UNAUTHENTICATED.
// Beheer (settings, tokens, teachers), undo and the AVG actions are not simulated.
//
//   node e2e/mock/server.mjs [port]     (default 18090; prints "mock listening on URL")
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildSchema, execute, parse, validate } from 'graphql'
import { useServer as serveGraphqlWs } from 'graphql-ws/use/ws'
import { WebSocketServer } from 'ws'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
const graphDir = path.resolve(root, '../graph')
const sdl = fs
  .readdirSync(graphDir)
  .filter((f) => f.endsWith('.graphql'))
  .map((f) => fs.readFileSync(path.join(graphDir, f), 'utf8'))
  .join('\n')
const schema = buildSchema(sdl)

// ---------------------------------------------------------------- data

let nextId = 1000
const newId = () => String(++nextId)
const now = () => new Date().toISOString()
const nodes = new Map()

const school = {
  __typename: 'School',
  id: newId(),
  name: 'Demoschool Het Talent',
  brin: '99XX',
  archiveThreshold: 10,
  archivedRetentionDays: 730,
  jobDataRetentionDays: 30,
  auditRetentionDays: 365,
  createdAt: now(),
  updatedAt: now(),
}
nodes.set(school.id, school)

const classes = () => [...nodes.values()].filter((n) => n.__typename === 'Class')
const accounts = () => [...nodes.values()].filter((n) => n.__typename === 'Account')
const jobs = () => [...nodes.values()].filter((n) => n.__typename === 'ImportJob')

function addClass(name, year, level) {
  // Every class of the mock is a stamklas: it does not plan lesgroepen (issue 14) or teachers.
  const c = { __typename: 'Class', id: newId(), schoolID: school.id, name, year, level, kind: 'STAMKLAS', subject: '', createdAt: now(), updatedAt: now() }
  nodes.set(c.id, c)
  return c
}
function addAccount(p) {
  const a = {
    __typename: 'Account',
    id: newId(),
    schoolID: school.id,
    role: 'PUPIL',
    username: '',
    eckID: '',
    status: 'ACTIVE',
    archivedAt: null,
    createdAt: now(),
    updatedAt: now(),
    ...p,
  }
  nodes.set(a.id, a)
  return a
}
const demo = addClass('Demo 1', 1, 'havo/vwo')
addAccount({ externalKey: '90001', firstName: 'Demi', infix: '', lastName: 'Voorbeeld', email: 'demi@demo.example', level: 'havo/vwo', year: 1, classID: demo.id })
addAccount({ externalKey: '90002', firstName: 'Bas', infix: 'de', lastName: 'Test', email: 'bas@demo.example', level: 'havo/vwo', year: 1, classID: demo.id })

// ---------------------------------------------------------------- connections

const orderFields = {
  CREATED_AT: 'createdAt',
  UPDATED_AT: 'updatedAt',
  EXTERNAL_KEY: 'externalKey',
  FIRST_NAME: 'firstName',
  LAST_NAME: 'lastName',
  YEAR: 'year',
  STATUS: 'status',
  NAME: 'name',
  BRIN: 'brin',
  KIND: 'kind',
}
const suffixes = ['ContainsFold', 'EqualFold', 'Contains', 'HasPrefix', 'HasSuffix', 'NEQ', 'NotIn', 'In', 'IsNil', 'NotNil', 'GTE', 'GT', 'LTE', 'LT']

function matches(obj, where) {
  if (!where) return true
  for (const [k, v] of Object.entries(where)) {
    if (v === undefined || v === null) continue
    if (k === 'or') {
      if (v.length && !v.some((w) => matches(obj, w))) return false
      continue
    }
    if (k === 'and') {
      if (!v.every((w) => matches(obj, w))) return false
      continue
    }
    if (k === 'not') {
      if (matches(obj, v)) return false
      continue
    }
    if (k.startsWith('has')) continue // edge predicates: not needed by the app
    const sfx = suffixes.find((s) => k.endsWith(s)) ?? ''
    const field = k.slice(0, k.length - sfx.length)
    const val = obj[field]
    const s = (x) => String(x ?? '').toLowerCase()
    const ok = {
      '': () => String(val) === String(v),
      ContainsFold: () => s(val).includes(s(v)),
      EqualFold: () => s(val) === s(v),
      Contains: () => String(val ?? '').includes(v),
      HasPrefix: () => String(val ?? '').startsWith(v),
      HasSuffix: () => String(val ?? '').endsWith(v),
      NEQ: () => String(val) !== String(v),
      In: () => v.map(String).includes(String(val)),
      NotIn: () => !v.map(String).includes(String(val)),
      IsNil: () => (val == null) === v,
      NotNil: () => (val != null) === v,
      GT: () => val > v,
      GTE: () => val >= v,
      LT: () => val < v,
      LTE: () => val <= v,
    }[sfx]()
    if (!ok) return false
  }
  return true
}

function connection(items, { first, after, where, orderBy } = {}) {
  let list = items.filter((x) => matches(x, where))
  const orders = orderBy ? (Array.isArray(orderBy) ? orderBy : [orderBy]) : [{ field: 'ID' }]
  list = [...list].sort((a, b) => {
    for (const o of orders) {
      const f = orderFields[o.field] ?? 'id'
      const av = a[f] ?? ''
      const bv = b[f] ?? ''
      const c = f === 'id' ? Number(av) - Number(bv) : typeof av === 'number' && typeof bv === 'number' ? av - bv : String(av).localeCompare(String(bv), 'nl', { numeric: true })
      if (c !== 0) return o.direction === 'DESC' ? -c : c
    }
    return Number(a.id) - Number(b.id)
  })
  const start = after ? Number(Buffer.from(after, 'base64').toString()) + 1 : 0
  const page = list.slice(start, first != null ? start + first : undefined)
  return {
    totalCount: list.length,
    edges: page.map((node, i) => ({ node, cursor: Buffer.from(String(start + i)).toString('base64') })),
    pageInfo: {
      hasNextPage: start + page.length < list.length,
      hasPreviousPage: start > 0,
      startCursor: page.length ? Buffer.from(String(start)).toString('base64') : null,
      endCursor: page.length ? Buffer.from(String(start + page.length - 1)).toString('base64') : null,
    },
  }
}

// Resolver-bearing views of the stored objects.
Object.assign(school, {
  classes: (args) => connection(classes().filter((c) => c.schoolID === school.id), args),
  accounts: (args) => connection(accounts().filter((a) => a.schoolID === school.id), args),
  importJobs: (args) => connection(jobs().filter((j) => j.schoolID === school.id), args),
})
function decorateClass(c) {
  c.school = () => school
  c.pupils = (args) => connection(accounts().filter((a) => a.classID === c.id && a.role === 'PUPIL'), args)
  c.teachers = (args) => connection([], args)
  c.members = (args) => connection([], args)
  c.mentors = () => []
  return c
}
function decorateAccount(a) {
  a.school = () => school
  a.class = () => (a.classID ? nodes.get(a.classID) : null)
  a.teachingClasses = (args) => connection([], args)
  a.groups = (args) => connection([], args)
  return a
}
classes().forEach(decorateClass)
accounts().forEach(decorateAccount)

// ---------------------------------------------------------------- import

class ApiError extends Error {
  constructor(message, extensions) {
    super(message)
    this.extensions = extensions
  }
}

const importFields = [
  ['key', 'Leerlingnummer', 'Student number', true],
  ['firstName', 'Roepnaam', 'First name', true],
  ['infix', 'Tussenvoegsel', 'Infix', false],
  ['lastName', 'Achternaam', 'Last name', true],
  ['class', 'Klas', 'Class', true],
  ['level', 'Niveau', 'Level', false],
  ['year', 'Leerjaar', 'Year', false],
  ['email', 'E-mailadres', 'E-mail address', false],
  ['username', 'Gebruikersnaam', 'Username', false],
  ['eckId', 'ECK iD', 'ECK iD', false],
].map(([name, label, labelEn, required]) => ({ name, label, labelEn, required }))

const synonyms = {
  stamnr: 'key', stamnummer: 'key', leerlingnummer: 'key', roepnaam: 'firstName', voornaam: 'firstName',
  tussenv: 'infix', tussenvoegsel: 'infix', achternaam: 'lastName', klas: 'class', studie: 'level', opleiding: 'level',
  niveau: 'level', leerjaar: 'year', email: 'email', emailadres: 'email', gebruikersnaam: 'username',
}
const levels = ['po', 'pro', 'vmbo-b', 'vmbo-k', 'vmbo-gt', 'havo', 'vwo', 'vmbo-b/k', 'vmbo-k/gt', 'vmbo-gt/havo', 'havo/vwo']
function normalizeLevel(raw) {
  const letters = raw.toLowerCase().replace(/[^a-z]/g, '')
  return (
    { hv: 'havo/vwo', h: 'havo', v: 'vwo', m: 'vmbo-gt', havo: 'havo', vwo: 'vwo', mavo: 'vmbo-gt', bb: 'vmbo-b', kb: 'vmbo-k', vmbogltl: 'vmbo-gt', vmbogt: 'vmbo-gt' }[letters] ??
    null
  )
}

function decode(buf) {
  if (buf[0] === 0x50 && buf[1] === 0x4b) {
    throw new ApiError('Dit is een Excel-werkmap. Sla het op als CSV (gescheiden door lijstscheidingstekens).', {
      code: 'FILE_REJECTED',
      messageEn: 'This is an Excel workbook. Save it as CSV (comma/semicolon delimited).',
      line: 0,
    })
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(buf).replace(/^\uFEFF/, ''), encoding: 'utf-8' }
  } catch {
    // Node's TextDecoder treats windows-1252 as Latin-1; map 0x80-0x9F by hand.
    const high = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ'
    const text = [...buf].map((b) => (b >= 0x80 && b <= 0x9f ? high[b - 0x80] : String.fromCharCode(b))).join('')
    return { text, encoding: 'windows-1252' }
  }
}

function parseFile(buf) {
  const { text, encoding } = decode(buf)
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '')
  if (lines.length < 2) {
    throw new ApiError('Het bestand bevat geen leerlingen: er is hoogstens één regel.', {
      code: 'FILE_REJECTED',
      messageEn: 'The file holds no pupils: it has at most one line.',
      line: 1,
    })
  }
  const counts = [';', ',', '\t'].map((d) => [d, lines[0].split(d).length])
  const delimiter = counts.sort((a, b) => b[1] - a[1])[0][0]
  const header = lines[0].split(delimiter).map((h) => h.trim())
  const rows = lines.slice(1).map((l, i) => ({ line: i + 2, cells: l.split(delimiter).map((c) => c.trim()) }))
  return { encoding, delimiter, header, rows }
}

function autoMapping(header) {
  const m = {}
  header.forEach((h, i) => {
    const f = synonyms[h.toLowerCase().replace(/[^a-z]/g, '')]
    if (f && !Object.values(m).includes(f)) m[i] = f
  })
  return m
}

const subscribers = new Map() // jobId -> Set<(event) => void>
function publish(job) {
  for (const push of subscribers.get(job.id) ?? []) push(progressOf(job))
}
function progressOf(job) {
  const final = job.status === 'COMMITTED' || job.status === 'FAILED'
  return {
    jobId: job.id,
    status: job.status,
    phase: job.phase,
    done: job.progressDone,
    total: job.progressTotal,
    counts: countsOf(job),
    final,
    error: job.error || null,
    report: job.reportData ?? null,
  }
}
const countsOf = (j) => ({
  added: j.added, updated: j.updated, archived: j.archived, unchanged: j.unchanged, skipped: j.skipped ?? 0, refused: j.refused,
  kept: j.kept ?? 0, damaged: j.damaged ?? 0, groupsJoined: 0, groupsLeft: 0,
})

// Excel damage, as the schema documents DamagedValue: a file value that is the stored value with
// non-ASCII letters lost to "?" or U+FFFD keeps the stored value (kept); a new pupil's name
// that looks damaged is imported as written (kept false).
const isLost = (ch) => ch === '?' || ch === '\uFFFD'
function damagedCopy(stored, file) {
  const s = [...String(stored ?? '').normalize('NFC')]
  const f = [...String(file ?? '')]
  if (!s.length || s.length !== f.length) return false
  let lost = false
  for (let i = 0; i < s.length; i++) {
    if (s[i] === f[i]) continue
    if (!isLost(f[i]) || !/\p{L}/u.test(s[i]) || s[i].charCodeAt(0) < 128) return false
    lost = true
  }
  return lost
}
const looksDamaged = (v) => /\uFFFD/.test(v ?? '') || /\p{L}\?|\?\p{L}/u.test(v ?? '')
const nameFields = ['firstName', 'infix', 'lastName']

function rowsAsPeople(job) {
  const byField = {}
  for (const [i, f] of Object.entries(job.mapping)) byField[f] = Number(i)
  const get = (r, f) => (byField[f] != null ? (r.cells[byField[f]] ?? '') : '')
  const seen = new Set()
  return job.parsed.rows.map((r) => {
    const rawLevel = get(r, 'level')
    const level = rawLevel ? (job.levelMap[levelKey(rawLevel)] ?? normalizeLevel(rawLevel) ?? '') : ''
    const p = {
      line: r.line,
      key: get(r, 'key'),
      firstName: get(r, 'firstName'),
      infix: get(r, 'infix'),
      lastName: get(r, 'lastName'),
      className: get(r, 'class'),
      level,
      year: get(r, 'year') ? Number(get(r, 'year')) : null,
      email: get(r, 'email'),
      reasons: [],
    }
    for (const f of importFields.filter((x) => x.required)) {
      if (!get(r, f.name)) {
        p.reasons.push({ line: r.line, column: job.parsed.header[byField[f.name]] ?? null, code: 'required_missing', message: `${f.label} ontbreekt.`, messageEn: `${f.labelEn} is missing.` })
      }
    }
    if (p.key && seen.has(p.key)) {
      p.reasons.push({ line: r.line, column: job.parsed.header[byField.key], code: 'duplicate_key', message: `Leerlingnummer ${p.key} staat al eerder in het bestand.`, messageEn: `Student number ${p.key} appears earlier in the file.` })
    }
    seen.add(p.key)
    return p
  })
}

function plan(job, actions) {
  const people = rowsAsPeople(job)
  const existing = new Map(accounts().filter((a) => a.schoolID === school.id && a.role === 'PUPIL' && a.externalKey).map((a) => [a.externalKey, a]))
  const users = []
  const inFile = new Set()
  const classNames = new Set(classes().map((c) => c.name))
  const classesToCreate = new Set()
  const damagedValues = []
  const columnOf = (field) => job.parsed.header[Number(Object.entries(job.mapping).find(([, f]) => f === field)?.[0])] ?? ''
  for (const p of people) {
    inFile.add(p.key)
    if (p.reasons.length) {
      users.push({ ...p, outcome: 'REFUSED', changes: [] })
      continue
    }
    const a = existing.get(p.key)
    if (!a) {
      if (!actions.includes('ADD')) {
        users.push({ ...p, outcome: 'SKIPPED', changes: [] })
        continue
      }
      users.push({ ...p, outcome: 'NEW', changes: [] })
      for (const f of nameFields.filter((f) => looksDamaged(p[f]))) {
        damagedValues.push({ line: p.line, column: columnOf(f), field: f, key: p.key, stored: '', file: p[f], kept: false })
      }
      if (!classNames.has(p.className)) classesToCreate.add(p.className)
      continue
    }
    for (const f of nameFields.filter((f) => damagedCopy(a[f], p[f]))) {
      damagedValues.push({ line: p.line, column: columnOf(f), field: f, key: p.key, stored: a[f], file: p[f], kept: true })
      p[f] = a[f] // the stored value stays
    }
    const cls = a.classID ? nodes.get(a.classID)?.name ?? '' : ''
    const changes = []
    const cmp = (field, before, after) => String(before ?? '') !== String(after ?? '') && changes.push({ field, before: String(before ?? ''), after: String(after ?? '') })
    cmp('firstName', a.firstName, p.firstName)
    cmp('infix', a.infix, p.infix)
    cmp('lastName', a.lastName, p.lastName)
    cmp('class', cls, p.className)
    cmp('level', a.level, p.level)
    cmp('year', a.year, p.year)
    cmp('email', a.email, p.email)
    if (a.status === 'ARCHIVED') changes.push({ field: 'status', before: 'gearchiveerd', after: 'actief' })
    if (changes.length && actions.includes('UPDATE')) {
      users.push({ ...p, outcome: 'UPDATED', changes })
      if (!classNames.has(p.className)) classesToCreate.add(p.className)
    } else users.push({ ...p, outcome: changes.length ? 'SKIPPED' : 'UNCHANGED', changes: [] })
  }
  const active = [...existing.values()].filter((a) => a.status === 'ACTIVE')
  if (actions.includes('ARCHIVE')) {
    for (const a of active) {
      if (inFile.has(a.externalKey)) continue
      users.push({
        outcome: 'ARCHIVED', line: null, key: a.externalKey, firstName: a.firstName, infix: a.infix, lastName: a.lastName,
        className: a.classID ? nodes.get(a.classID)?.name ?? '' : '', level: a.level, year: a.year, email: a.email,
        changes: [{ field: 'status', before: 'actief', after: 'gearchiveerd' }], reasons: [],
      })
    }
  }
  const count = (o) => users.filter((u) => u.outcome === o).length
  const counts = {
    added: count('NEW'), updated: count('UPDATED'), archived: count('ARCHIVED'), unchanged: count('UNCHANGED'), skipped: count('SKIPPED'), refused: count('REFUSED'),
    kept: damagedValues.filter((d) => d.kept).length, damaged: damagedValues.filter((d) => !d.kept).length,
    groupsJoined: 0, groupsLeft: 0,
  }
  const toArchive = counts.archived
  const lowers = (c) => c.field === 'year' && c.before !== '' && c.after !== '' && Number(c.after) < Number(c.before)
  const yearDown = users.filter((u) => u.outcome === 'UPDATED' && u.changes.some(lowers)).length
  const warnings = people
    .filter((p) => !p.reasons.length && !p.email)
    .map((p) => ({ line: p.line, column: null, code: 'no_email', message: `${p.firstName} ${p.lastName} heeft geen e-mailadres.`, messageEn: `${p.firstName} ${p.lastName} has no e-mail address.` }))
  for (const v of levelValues(job).filter((x) => x.decided && !x.level)) {
    warnings.push({ line: 0, column: null, code: 'level_unknown', message: `Niveau "${v.value}" is niet gekoppeld: ${v.count} leerling(en) krijgen geen niveau.`, messageEn: `Level "${v.value}" is not mapped: ${v.count} pupil(s) get no level.` })
  }
  return {
    actions,
    counts,
    classesToCreate: [...classesToCreate].sort(),
    groupsToCreate: [],
    damagedValues,
    refused: users.filter((u) => u.outcome === 'REFUSED').flatMap((u) => u.reasons),
    warnings,
    archiveGuard: {
      confirmationRequired: active.length > 0 && (toArchive * 100) / active.length > school.archiveThreshold,
      toArchive,
      activePupils: active.length,
      thresholdPercent: school.archiveThreshold,
    },
    yearGuard: {
      confirmationRequired: yearDown > 0 && yearDown * 100 > school.archiveThreshold * active.length,
      yearDown,
      activePupils: active.length,
      thresholdPercent: school.archiveThreshold,
    },
    allUsers: users,
    stamp: accounts().map((a) => a.updatedAt).sort().at(-1),
    users: ({ outcome, search, offset = 0, limit = 50 }) => {
      const q = (search ?? '').toLowerCase()
      const list = users.filter(
        (u) => (!outcome || u.outcome === outcome) && (!q || [u.firstName, u.infix, u.lastName, u.key, u.className].join(' ').toLowerCase().includes(q)),
      )
      const items = list.slice(offset, offset + limit).map((u) => ({ groups: [], mentorOf: [], ...u }))
      return { total: list.length, offset, items }
    },
  }
}

/** The job's unknown level values: the most frequent maxUnknownLevels, as numo lists them. */
const maxUnknownLevels = 200
function levelValues(job) {
  const all = allLevelValues(job) // in order of first appearance
  return all.length > maxUnknownLevels ? all.sort((a, b) => b.count - a.count).slice(0, maxUnknownLevels) : all
}

function allLevelValues(job) {
  const col = Object.entries(job.mapping).find(([, f]) => f === 'level')?.[0]
  if (col == null) return []
  const byKey = new Map() // spellings of one value ("Technasium", "technasium") share an entry, the first spelling named
  for (const r of job.parsed.rows) {
    const v = r.cells[Number(col)] ?? ''
    if (!v || normalizeLevel(v)) continue
    const e = byKey.get(levelKey(v)) ?? { value: v, count: 0 }
    e.count++
    byKey.set(levelKey(v), e)
  }
  return [...byKey].map(([key, { value, count }]) => ({ value, count, level: job.levelMap[key] || null, decided: key in job.levelMap }))
}

/** A level value as the school's decisions key it: case, spaces and punctuation do not matter. */
const levelKey = (v) => v.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '')

/** Refuses to go on while a level value is undecided, as numo does (MAPPING_INVALID, unknownLevels). */
function checkLevels(job) {
  if (job.otherNoLevel) return // "all other values: no level"
  const undecided = allLevelValues(job).filter((v) => !v.decided)
  if (!undecided.length) return
  const named = undecided.map((v) => `"${v.value}" (${v.count})`).join(', ')
  const message = `Numo kent ${undecided.length} niveauwaarde(n) uit het bestand niet: ${named}. Kies voor elke waarde een niveau of ‘Geen niveau’.`
  const messageEn = `Numo does not know ${undecided.length} level value(s) of the file: ${named}. Choose a level or ‘No level’ for each.`
  throw new ApiError(message, {
    code: 'MAPPING_INVALID',
    messageEn,
    unknownLevels: undecided.map(({ value, count }) => ({ value, count })),
    problems: [{ line: 0, column: null, code: 'unknown_level', message, messageEn }],
  })
}

function mappingProblemsOf(job) {
  const used = Object.values(job.mapping)
  return importFields
    .filter((f) => f.required && !used.includes(f.name))
    .map((f) => ({ line: 0, column: null, code: 'required_unmapped', message: `Geen kolom gekoppeld aan ${f.label}.`, messageEn: `No column mapped to ${f.labelEn}.` }))
}

function jobView(job) {
  Object.assign(job, {
    kind: 'IMPORT',
    undoOfID: null,
    undoOf: null,
    undoneAt: null,
    dataPurgedAt: null,
    school: () => school,
    startedBy: null,
    columns: () =>
      job.parsed.header.map((header, index) => ({
        index,
        header,
        samples: [...new Set(job.parsed.rows.map((r) => r.cells[index]).filter(Boolean))].slice(0, 5),
        field: job.mapping[index] ?? null,
        confidence: job.mapping[index] ? (job.confirmed ? 1 : 1) : 0,
      })),
    fields: importFields,
    levels,
    levelValues: () => levelValues(job),
    unknownLevelsTotal: () => allLevelValues(job).length,
    otherLevels: () => (job.otherNoLevel ? 'NO_LEVEL' : null),
    mappingProblems: () => mappingProblemsOf(job),
    preview: () => job.previewData ?? null,
    progress: () => progressOf(job),
    report: () => job.reportData ?? null,
    reportUrl: () => (job.status === 'COMMITTED' ? `/api/import-jobs/${job.id}/report.csv` : null),
  })
  return job
}

async function runCommit(job) {
  const p = job.previewData
  const work = p.allUsers.filter((u) => ['NEW', 'UPDATED', 'ARCHIVED'].includes(u.outcome))
  job.progressTotal = work.length
  job.progressDone = 0
  job.phase = 'planning'
  publish(job)
  await sleep(300)
  job.phase = 'writing'
  const created = []
  const classByName = new Map(classes().map((c) => [c.name, c]))
  const classFor = (u) => {
    if (!u.className) return null
    let c = classByName.get(u.className)
    if (!c) {
      c = decorateClass(addClass(u.className, u.year, u.level || null))
      classByName.set(c.name, c)
      created.push(c.name)
    }
    return c.id
  }
  const byKey = new Map(accounts().map((a) => [a.externalKey, a]))
  for (const u of work) {
    if (u.outcome === 'NEW') {
      decorateAccount(addAccount({ externalKey: u.key, firstName: u.firstName, infix: u.infix, lastName: u.lastName, email: u.email, level: u.level, year: u.year, classID: classFor(u) }))
    } else if (u.outcome === 'UPDATED') {
      Object.assign(byKey.get(u.key), { firstName: u.firstName, infix: u.infix, lastName: u.lastName, email: u.email, level: u.level, year: u.year, classID: classFor(u), status: 'ACTIVE', archivedAt: null, updatedAt: now() })
    } else {
      Object.assign(byKey.get(u.key), { status: 'ARCHIVED', archivedAt: now(), updatedAt: now() })
    }
    job.progressDone++
    if (job.progressDone % 3 === 0 || job.progressDone === work.length) {
      publish(job)
      await sleep(120)
    }
  }
  Object.assign(job, countsOf({ ...p.counts }), { status: 'COMMITTED', phase: 'done', committedAt: now(), updatedAt: now() })
  job.reportData = { counts: p.counts, classesCreated: created, groupsCreated: [], refused: p.refused, warnings: p.warnings, damagedValues: p.damagedValues }
  publish(job)
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

const rootValue = {
  node: ({ id }) => nodes.get(id) ?? null,
  nodes: ({ ids }) => ids.map((id) => nodes.get(id) ?? null),
  schools: (args) => connection([school], args),
  classes: (args) => connection(classes(), args),
  accounts: (args) => connection(accounts(), args),
  importJobs: (args) => connection(jobs(), args),

  upload: async ({ schoolId, file }) => {
    if (schoolId !== school.id) throw new ApiError('School niet gevonden.', { code: 'NOT_FOUND', messageEn: 'School not found.' })
    const buf = Buffer.from(await file.arrayBuffer())
    const parsed = parseFile(buf)
    const job = jobView({
      __typename: 'ImportJob', id: newId(), schoolID: school.id, startedByID: null, status: 'UPLOADED', fileKind: 'PUPILS', createdAt: now(), updatedAt: now(),
      fileName: file.name, fileSize: buf.length, sha256: '', encoding: parsed.encoding, delimiter: parsed.delimiter, headerLine: 1,
      rowCount: parsed.rows.length, added: 0, updated: 0, archived: 0, unchanged: 0, refused: 0, removed: 0, kept: 0, damaged: 0, phase: 'uploaded', progressDone: 0,
      progressTotal: 0, error: '', committedAt: null, parsed, mapping: autoMapping(parsed.header), levelMap: {},
    })
    nodes.set(job.id, job)
    return job
  },
  setMapping: ({ jobId, columns, levels: lv, otherLevels }) => {
    const job = nodes.get(jobId)
    if (!job) throw new ApiError('Import niet gevonden.', { code: 'NOT_FOUND', messageEn: 'Import not found.' })
    const mapping = {}
    for (const c of columns) if (c.field) mapping[c.column] = c.field
    const problems = []
    const used = Object.values(mapping)
    for (const f of importFields) {
      if (used.filter((x) => x === f.name).length > 1) problems.push({ code: 'double_match', message: `${f.label} is aan meer dan één kolom gekoppeld.`, messageEn: `${f.labelEn} is matched to more than one column.`, column: null })
      else if (f.required && !used.includes(f.name)) problems.push({ code: 'required_unmapped', message: `Geen kolom gekoppeld aan ${f.label}.`, messageEn: `No column mapped to ${f.labelEn}.`, column: null })
    }
    if (problems.length) throw new ApiError('De koppeling is niet compleet.', { code: 'MAPPING_INVALID', messageEn: 'The mapping is not complete.', problems })
    const before = { mapping: job.mapping, levelMap: job.levelMap, otherNoLevel: job.otherNoLevel }
    job.mapping = mapping
    job.otherNoLevel = otherLevels === 'NO_LEVEL' // each setMapping says it again
    job.levelMap = { ...job.levelMap, ...Object.fromEntries((lv ?? []).map((l) => [levelKey(l.value), l.level ?? null])) }
    try {
      checkLevels(job)
    } catch (e) {
      Object.assign(job, before) // a refused mapping stores nothing
      throw e
    }
    job.status = 'MAPPED'
    job.confirmed = true
    job.previewData = null
    return job
  },
  preview: ({ jobId, actions }) => {
    const job = nodes.get(jobId)
    if (!job) throw new ApiError('Import niet gevonden.', { code: 'NOT_FOUND', messageEn: 'Import not found.' })
    checkLevels(job)
    job.previewData = plan(job, actions)
    job.status = 'PREVIEWED'
    return job.previewData
  },
  commit: ({ jobId, confirmArchive, confirmYearDown }) => {
    const job = nodes.get(jobId)
    if (!job) throw new ApiError('Import niet gevonden.', { code: 'NOT_FOUND', messageEn: 'Import not found.' })
    if (job.status !== 'PREVIEWED') throw new ApiError('Deze import kan nu niet worden uitgevoerd.', { code: 'INVALID_STATE', messageEn: 'This import cannot be run now.' })
    const p = job.previewData
    if (p.stamp !== accounts().map((a) => a.updatedAt).sort().at(-1)) throw new ApiError('De accounts zijn veranderd sinds het voorbeeld. Maak het voorbeeld opnieuw.', { code: 'STALE_PREVIEW', messageEn: 'The accounts changed since the preview. Preview again.' })
    if (p.archiveGuard.confirmationRequired && confirmArchive !== p.archiveGuard.toArchive) {
      throw new ApiError(`Typ ${p.archiveGuard.toArchive} om het archiveren te bevestigen.`, { code: 'ARCHIVE_CONFIRMATION_REQUIRED', messageEn: `Type ${p.archiveGuard.toArchive} to confirm archiving.` })
    }
    if (p.yearGuard.confirmationRequired && confirmYearDown !== p.yearGuard.yearDown) {
      throw new ApiError(`Typ ${p.yearGuard.yearDown} om te bevestigen dat die leerlingen een leerjaar teruggaan.`, { code: 'YEAR_DOWN_CONFIRMATION_REQUIRED', messageEn: `Type ${p.yearGuard.yearDown} to confirm these pupils go back a school year.` })
    }
    job.status = 'COMMITTING'
    job.phase = 'planning'
    setTimeout(() => void runCommit(job), 50)
    return job
  },
  importProgress: ({ jobId }) => {
    const job = nodes.get(jobId)
    const queue = []
    let wake = null
    const push = (e) => {
      queue.push(e)
      wake?.()
    }
    const set = subscribers.get(jobId) ?? new Set()
    subscribers.set(jobId, set)
    set.add(push)
    push(progressOf(job))
    return (async function* () {
      try {
        for (;;) {
          while (queue.length) {
            const e = queue.shift()
            yield { importProgress: e }
            if (e.final) return
          }
          await new Promise((r) => (wake = r))
        }
      } finally {
        set.delete(push)
      }
    })()
  },
}

// ---------------------------------------------------------------- sessions

const adminAccount = decorateAccount(
  addAccount({ role: 'ADMIN', firstName: 'Peter', infix: '', lastName: 'Beheer', username: 'beheer', email: 'beheer@demo.example', level: '', year: null, classID: null, externalKey: null }),
)
const adminPassword = process.env.NUMO_E2E_ADMIN_PASSWORD ?? 'e2e-beheer-Wachtwoord-2026'
const sessions = new Set()

function sessionOf(req) {
  const m = /(?:^|;\s*)numo_session=([^;]+)/.exec(req.headers.cookie ?? '')
  return m && sessions.has(m[1]) ? m[1] : null
}

function jsonError(res, status, code, message) {
  res.statusCode = status
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }))
}

rootValue.viewer = () => ({ account: adminAccount, school, role: 'ADMIN', scopes: [], mustChangePassword: false })

// ---------------------------------------------------------------- transports

function formatError(e) {
  const orig = e.originalError
  return { message: e.message, path: e.path, extensions: orig?.extensions ?? e.extensions }
}

async function runOperation(body, signedIn) {
  let document
  try {
    document = parse(body.query)
  } catch (e) {
    return { errors: [{ message: e.message }] }
  }
  const errors = validate(schema, document)
  if (errors.length) return { errors: errors.map((e) => ({ message: e.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) }
  const op = document.definitions.find((d) => d.kind === 'OperationDefinition')
  const onlyViewer = op?.operation === 'query' && op.selectionSet.selections.every((f) => f.kind === 'Field' && f.name.value === 'viewer')
  if (!signedIn && onlyViewer) return { data: { viewer: null } }
  if (!signedIn) return { errors: [{ message: 'Log eerst in.', extensions: { code: 'UNAUTHENTICATED', messageEn: 'Sign in first.' } }] }
  const result = await execute({ schema, document, rootValue, variableValues: body.variables, operationName: body.operationName })
  return { ...result, errors: result.errors?.map(formatError) }
}

async function readBody(req) {
  const chunks = []
  for await (const c of req) chunks.push(c)
  return Buffer.concat(chunks)
}

const mime = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html; charset=utf-8', '.svg': 'image/svg+xml' }
const dist = path.join(root, 'dist')

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost')
  try {
    if (url.pathname === '/healthz') return res.end('ok')
    if (url.pathname === '/api/login' && req.method === 'POST') {
      const { username, password } = JSON.parse((await readBody(req)).toString('utf8') || '{}')
      if (String(username ?? '').toLowerCase() !== 'beheer' || password !== adminPassword) {
        return jsonError(res, 401, 'BAD_LOGIN', 'Onjuiste gebruikersnaam of wachtwoord.')
      }
      const secret = `mock_${newId()}_${Math.random().toString(36).slice(2)}`
      sessions.add(secret)
      res.setHeader('set-cookie', `numo_session=${secret}; Path=/; HttpOnly; SameSite=Lax`)
      res.setHeader('content-type', 'application/json')
      return res.end(JSON.stringify({ role: 'ADMIN', schoolId: school.id, name: 'Peter Beheer', mustChangePassword: false }))
    }
    if (url.pathname === '/api/logout' && req.method === 'POST') {
      const secret = sessionOf(req)
      if (secret) sessions.delete(secret)
      res.statusCode = 204
      res.setHeader('set-cookie', 'numo_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0')
      return res.end()
    }
    if (url.pathname === '/query' && req.method === 'POST') {
      const raw = await readBody(req)
      let body
      const type = req.headers['content-type'] ?? ''
      if (type.startsWith('multipart/form-data')) {
        const form = await new Request('http://x', { method: 'POST', headers: { 'content-type': type }, body: raw }).formData()
        body = JSON.parse(form.get('operations'))
        const map = JSON.parse(form.get('map'))
        for (const [key, paths] of Object.entries(map)) {
          for (const p of paths) {
            const parts = p.split('.')
            let target = body
            for (const part of parts.slice(0, -1)) target = target[part]
            target[parts.at(-1)] = form.get(key)
          }
        }
      } else body = JSON.parse(raw.toString('utf8'))
      const result = await runOperation(body, sessionOf(req) !== null)
      res.setHeader('content-type', 'application/json')
      return res.end(JSON.stringify(result))
    }
    const report = url.pathname.match(/^\/api\/import-jobs\/(\d+)\/report\.csv$/)
    if (report) {
      const job = nodes.get(report[1])
      if (!job?.reportData) {
        res.statusCode = 404
        return res.end('not found')
      }
      const lines = ['Regel;Stamnr;Uitkomst;Melding']
      for (const u of job.previewData.allUsers) lines.push([u.line ?? '', u.key, u.outcome, u.reasons.map((r) => r.message).join(' ')].join(';'))
      res.setHeader('content-type', 'text/csv; charset=utf-8')
      res.setHeader('content-disposition', `attachment; filename="verslag-${job.id}.csv"`)
      return res.end(lines.join('\r\n'))
    }
    if (url.pathname.startsWith('/api/')) {
      res.statusCode = 404
      return res.end('not found')
    }
    let file = path.join(dist, path.normalize(url.pathname))
    if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(dist, 'index.html')
    res.setHeader('content-type', mime[path.extname(file)] ?? 'application/octet-stream')
    fs.createReadStream(file).pipe(res)
  } catch (e) {
    res.statusCode = 500
    res.end(String(e?.stack ?? e))
  }
})

const wss = new WebSocketServer({ server, path: '/query' })
serveGraphqlWs({ schema, roots: { subscription: { importProgress: rootValue.importProgress }, query: rootValue } }, wss)

const port = Number(process.argv[2] ?? process.env.PORT ?? 18090)
server.listen(port, '127.0.0.1', () => console.log(`mock listening on http://127.0.0.1:${port}`))
