// Runs the server audit of `graphql-http` (the reference implementation of the GraphQL over
// HTTP specification) against a running Numo's /query, three times: anonymously, with an API
// token and with the admin's session cookie. Every check must be ok: a warning or a notice
// fails the run like an error. The checks are the package's own (auditServer), not a copy.
//
//   node e2e/graphql-http-audit.mjs [URL]     (default: $NUMO_URL)
//
// run.sh runs it after the browser tests. The admin signs in with NUMO_E2E_ADMIN_USER (beheer)
// and NUMO_E2E_ADMIN_PASSWORD, creates a READ_ROSTERS token for the second run and revokes it
// at the end.
import { auditServer } from 'graphql-http'

const base = (process.argv[2] ?? process.env.NUMO_URL ?? '').replace(/\/$/, '')
if (!base) {
  console.error('graphql-http audit: give the server URL as the argument or in NUMO_URL')
  process.exit(2)
}
const endpoint = `${base}/query`
const admin = {
  username: process.env.NUMO_E2E_ADMIN_USER ?? 'beheer',
  password: process.env.NUMO_E2E_ADMIN_PASSWORD ?? 'e2e-beheer-Wachtwoord-2026',
}

/** Signs the admin in and returns the session cookie ("name=value"). */
async function signIn() {
  const res = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(admin),
  })
  if (res.status !== 200) throw new Error(`sign-in as ${admin.username} answered ${res.status}: ${await res.text()}`)
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.includes('='))
  if (!cookie) throw new Error('sign-in set no cookie')
  return cookie
}

/** Sends one GraphQL operation with the session cookie and returns its data, or throws. */
async function asAdmin(cookie, query, variables) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', cookie },
    body: JSON.stringify({ query, variables }),
  })
  const body = await res.json()
  if (res.status !== 200 || body.errors) throw new Error(`${query} answered ${res.status}: ${JSON.stringify(body)}`)
  return body.data
}

/** A fetch that adds the credential's headers to every request the audit sends. */
function fetchWith(extra) {
  return (input, init = {}) => {
    const headers = new Headers(init.headers)
    for (const [k, v] of Object.entries(extra)) headers.set(k, v)
    return fetch(input, { ...init, headers })
  }
}

/** Runs the audit with the given headers; prints the counts and every check that is not ok. */
async function audit(label, headers) {
  const results = await auditServer({ url: endpoint, fetchFn: fetchWith(headers) })
  const counts = { ok: 0, warn: 0, notice: 0, error: 0 }
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1
  const summary = Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ')
  console.log(`graphql-http audit (${label}): ${summary} of ${results.length}`)
  for (const r of results.filter((r) => r.status !== 'ok')) {
    console.log(`  ${r.status.toUpperCase()} ${r.id} ${r.name}\n    ${r.reason}`)
  }
  return results.length > 0 && counts.ok === results.length
}

let cookie
let tokenId
let passed = true
try {
  passed = (await audit('anonymous', {})) && passed
  cookie = await signIn()
  const { viewer } = await asAdmin(cookie, '{ viewer { school { id } } }')
  const { createApiToken } = await asAdmin(
    cookie,
    'mutation($s: ID!) { createApiToken(schoolId: $s, name: "graphql-http audit (e2e)", scopes: [READ_ROSTERS]) { token { id } secret } }',
    { s: viewer.school.id },
  )
  tokenId = createApiToken.token.id
  passed = (await audit('API token', { authorization: `Bearer ${createApiToken.secret}` })) && passed
  passed = (await audit('session', { cookie })) && passed
} finally {
  if (cookie && tokenId) await asAdmin(cookie, 'mutation($id: ID!) { revokeApiToken(id: $id) { id } }', { id: tokenId })
  if (cookie) await fetch(`${base}/api/logout`, { method: 'POST', headers: { cookie, 'x-requested-with': 'numo' } })
}
if (!passed) {
  console.error('graphql-http audit: not every check is ok (warnings and notices count as failures)')
  process.exit(1)
}
