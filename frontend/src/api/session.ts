import { requestHeaders } from './client'

/**
 * Why a sign-in failed: the server's extensions.code, or NETWORK when it could not be reached.
 * SCHOOL_REQUIRED: the installation has several schools and the sign-in named none; BUSY: the
 * server checks only a few passwords at once and none came free in time.
 */
export type LoginErrorCode = 'BAD_LOGIN' | 'LOCKED' | 'SCHOOL_REQUIRED' | 'BUSY' | 'START_CODE_EXPIRED' | 'NETWORK' | 'SERVER'

/** The outcome of POST /api/login. */
export type LoginResult =
  | { ok: true; role: string; name: string; mustChangePassword: boolean }
  | { ok: false; code: LoginErrorCode; message?: string }

/**
 * Signs in with a username (or e-mail address) and password at a school (its BRIN code; may be
 * left empty when the installation has one school). The server sets the HttpOnly session
 * cookie; the app never sees the session's secret.
 */
export async function login(username: string, password: string, school = ''): Promise<LoginResult> {
  let res: Response
  try {
    res = await fetch('/api/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { ...requestHeaders, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(school ? { school, username, password } : { username, password }),
    })
  } catch {
    return { ok: false, code: 'NETWORK' }
  }
  const body = (await res.json().catch(() => null)) as Record<string, unknown> | null
  if (res.ok && body) {
    return {
      ok: true,
      role: String(body.role ?? ''),
      name: String(body.name ?? ''),
      mustChangePassword: body.mustChangePassword === true,
    }
  }
  const first = Array.isArray(body?.errors) ? (body.errors[0] as { message?: string; extensions?: { code?: string } }) : undefined
  const code = first?.extensions?.code
  // Before BAD_LOGIN: also a 401, but the right code of a login letter that is too old.
  if (code === 'START_CODE_EXPIRED') return { ok: false, code: 'START_CODE_EXPIRED', message: first?.message }
  if (code === 'BAD_LOGIN' || res.status === 401) return { ok: false, code: 'BAD_LOGIN', message: first?.message }
  if (code === 'LOCKED' || res.status === 429) return { ok: false, code: 'LOCKED', message: first?.message }
  if (code === 'SCHOOL_REQUIRED') return { ok: false, code: 'SCHOOL_REQUIRED', message: first?.message }
  if (code === 'BUSY' || res.status === 503) return { ok: false, code: 'BUSY', message: first?.message }
  return { ok: false, code: 'SERVER', message: first?.message }
}

/** Ends the session on the server and clears the cookie; a failure (offline) is not fatal. */
export async function logout(): Promise<void> {
  try {
    await fetch('/api/logout', { method: 'POST', credentials: 'same-origin', headers: { ...requestHeaders } })
  } catch {
    // The app forgets the viewer anyway; the session ends at its expiry.
  }
}
