import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { Client } from 'urql'
import { describe, expect, it, vi } from 'vitest'
import { fromValue, never } from 'wonka'
import { renderWithProviders } from '../../test/render'
import { SsoForm, type SsoValues } from './SsoPanel'

const stored: SsoValues = {
  issuer: 'https://login.microsoftonline.com/t/v2.0',
  clientId: 'numo',
  hasSecret: true,
  match: 'EMAIL',
  claim: 'email',
  enabled: true,
  label: 'Microsoft',
}

function clientSaving() {
  const mutation = vi.fn((op: { variables: { input: Record<string, unknown> } }) =>
    fromValue({
      operation: op,
      data: { setSsoSettings: { ...stored, ...op.variables.input, hasSecret: true, updatedAt: '2026-12-07T10:00:00Z' } },
      stale: false,
      hasNext: false,
    }),
  )
  const client = { executeQuery: () => never, executeMutation: mutation, executeSubscription: () => never } as unknown as Client
  return { client, mutation }
}

describe('Beheer → Inloggen via school', () => {
  it('never shows the stored secret and keeps it when the field stays empty', async () => {
    const { client, mutation } = clientSaving()
    renderWithProviders(<SsoForm schoolId="s1" initial={stored} />, { client })
    expect(screen.getByText(/Er is een clientgeheim opgeslagen; Numo toont het nooit/)).toBeInTheDocument()
    expect(screen.getByLabelText('Clientgeheim')).toHaveValue('')
    expect(screen.getByText(/\/api\/sso\/callback$/)).toBeInTheDocument()
    await userEvent.setup().click(screen.getByRole('button', { name: 'Instellingen opslaan' }))
    expect(mutation).toHaveBeenCalledTimes(1)
    expect(mutation.mock.calls[0][0].variables.input).toEqual({
      issuer: stored.issuer,
      clientId: 'numo',
      match: 'EMAIL',
      claim: 'email',
      enabled: true,
      label: 'Microsoft',
      clientSecret: null,
    })
  })

  it('sends a typed secret, and an empty one only when asked to remove it', async () => {
    const user = userEvent.setup()
    const { client, mutation } = clientSaving()
    const { unmount } = renderWithProviders(<SsoForm schoolId="s1" initial={stored} />, { client })
    await user.type(screen.getByLabelText('Clientgeheim'), 'nieuw-geheim')
    await user.click(screen.getByRole('button', { name: 'Instellingen opslaan' }))
    expect(mutation.mock.calls[0][0].variables.input.clientSecret).toBe('nieuw-geheim')
    unmount()
    renderWithProviders(<SsoForm schoolId="s1" initial={stored} />, { client })
    await user.click(screen.getByRole('switch', { name: 'Clientgeheim verwijderen' }))
    await user.click(screen.getByRole('button', { name: 'Instellingen opslaan' }))
    expect(mutation.mock.calls[1][0].variables.input.clientSecret).toBe('')
  })

  it('says the secret is stored after the first save, from the answer (there was no query to refresh)', async () => {
    const user = userEvent.setup()
    const { client } = clientSaving()
    renderWithProviders(<SsoForm schoolId="s1" initial={{ ...stored, hasSecret: false }} />, { client })
    expect(screen.getByText(/Nog geen clientgeheim opgeslagen/)).toBeInTheDocument()
    await user.type(screen.getByLabelText('Clientgeheim'), 'eerste-geheim')
    await user.click(screen.getByRole('button', { name: 'Instellingen opslaan' }))
    expect(await screen.findByText(/Er is een clientgeheim opgeslagen; Numo toont het nooit/)).toBeInTheDocument()
    expect(screen.getByLabelText('Clientgeheim')).toHaveValue('')
  })

  it('reads in English', () => {
    renderWithProviders(<SsoForm schoolId="s1" initial={{ ...stored, hasSecret: false, claim: '' }} />, { lang: 'en' })
    expect(screen.getByText('Sign in with the school account (OpenID Connect)')).toBeInTheDocument()
    expect(screen.getByText(/No client secret stored yet/)).toBeInTheDocument()
    expect(screen.getByText('Leave empty for the usual one: email.')).toBeInTheDocument()
  })
})
