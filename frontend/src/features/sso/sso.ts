import type { MessageKey } from '../../i18n'

/** The codes /api/sso/callback sends the browser back with (?sso_error=…); docs/errors.md. */
export const ssoErrorCodes = ['SSO_UNAVAILABLE', 'SSO_EXPIRED', 'SSO_DENIED', 'SSO_FAILED', 'SSO_NO_ACCOUNT', 'SSO_ARCHIVED', 'LOCKED'] as const

export type SsoErrorCode = (typeof ssoErrorCodes)[number]

/** The message of a code from the URL; an unknown code is shown as a general failure. */
export function ssoErrorKey(code: string | null): MessageKey | null {
  if (!code) return null
  return (ssoErrorCodes as readonly string[]).includes(code) ? (`sso.error.${code}` as MessageKey) : 'sso.error.SSO_FAILED'
}

/** What the login page learns about a school's single sign-on (GET /api/sso/options). */
export interface SsoOption {
  label: string
  startUrl: string
}

/** Asks whether the school (BRIN; '' for an installation with one school) offers single sign-on. */
export async function fetchSsoOption(school: string, signal?: AbortSignal): Promise<SsoOption | null> {
  const q = school ? `?school=${encodeURIComponent(school)}` : ''
  try {
    const res = await fetch(`/api/sso/options${q}`, { signal, credentials: 'same-origin' })
    if (!res.ok) {
      // Read the refusal to its end: an unread body keeps the request open in the browser
      // (the page never goes network-idle).
      await res.text()
      return null
    }
    const body = (await res.json()) as Partial<SsoOption>
    // Only a start URL of our own /api/sso/ is followed.
    if (typeof body.startUrl !== 'string' || !body.startUrl.startsWith('/api/sso/')) return null
    return { label: typeof body.label === 'string' ? body.label : '', startUrl: body.startUrl }
  } catch {
    return null
  }
}

/** The claims the settings offer by default per match, as internal/auth/oidc.DefaultClaim. */
export const defaultClaims = { EMAIL: 'email', USERNAME: 'preferred_username', ECK_ID: 'eckid' } as const
