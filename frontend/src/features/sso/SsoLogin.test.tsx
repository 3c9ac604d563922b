import { screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { en } from '../../i18n/en'
import { nl } from '../../i18n/nl'
import { renderWithProviders } from '../../test/render'
import { ssoErrorCodes, ssoErrorKey } from './sso'
import { SsoLogin } from './SsoLogin'

function answer(status: number, body: unknown) {
  const fetchMock = vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }))
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

afterEach(() => vi.unstubAllGlobals())

describe('single sign-on on the login page', () => {
  it('shows "Inloggen met <label>" for a school that has it switched on, linking to its start', async () => {
    const fetchMock = answer(200, { label: 'Microsoft', startUrl: '/api/sso/01AA/start' })
    renderWithProviders(<SsoLogin school="01AA" error={null} />)
    const button = await screen.findByRole('link', { name: 'Inloggen met Microsoft' })
    expect(button).toHaveAttribute('href', '/api/sso/01AA/start')
    expect(fetchMock).toHaveBeenCalledWith('/api/sso/options?school=01AA', expect.anything())
  })

  it('reads in English', async () => {
    answer(200, { label: 'Google', startUrl: '/api/sso/01AA/start' })
    renderWithProviders(<SsoLogin school="01AA" error={null} />, { lang: 'en' })
    expect(await screen.findByRole('link', { name: 'Sign in with Google' })).toBeInTheDocument()
  })

  it('shows nothing for a school without it, and never follows a start URL outside /api/sso/', async () => {
    const fetchMock = answer(404, { errors: [{ message: 'x', extensions: { code: 'SSO_UNAVAILABLE' } }] })
    const { unmount } = renderWithProviders(<SsoLogin school="02BB" error={null} />)
    await waitFor(() => expect(fetchMock).toHaveBeenCalled())
    await new Promise((r) => setTimeout(r, 20))
    expect(screen.queryByRole('link')).toBeNull()
    expect(screen.queryByRole('alert')).toBeNull()
    unmount()
    answer(200, { label: 'Evil', startUrl: 'https://evil.example/' })
    renderWithProviders(<SsoLogin school="02BB" error={null} />)
    await new Promise((r) => setTimeout(r, 20))
    expect(screen.queryByRole('link')).toBeNull()
  })

  it('says why a sign-in came back refused, in Dutch and in English', async () => {
    answer(404, {})
    renderWithProviders(<SsoLogin school="01AA" error="SSO_ARCHIVED" />)
    expect(await screen.findByRole('alert')).toHaveTextContent('Je account in Numo is gearchiveerd')
    renderWithProviders(<SsoLogin school="01AA" error="SSO_NO_ACCOUNT" />, { lang: 'en' })
    expect(screen.getAllByRole('alert')[1]).toHaveTextContent('matches no active Numo account')
  })

  it('has a message for every code in both languages; an unknown code is a general failure', () => {
    for (const code of ssoErrorCodes) {
      const key = ssoErrorKey(code)!
      expect(nl[key], code).toBeTruthy()
      expect(en[key], code).toBeTruthy()
      expect(en[key]).not.toBe(nl[key])
    }
    expect(ssoErrorKey('SOMETHING_ELSE')).toBe('sso.error.SSO_FAILED')
    expect(ssoErrorKey(null)).toBeNull()
  })
})
