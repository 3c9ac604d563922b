import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { Client } from 'urql'
import { describe, expect, it, vi } from 'vitest'
import { fromValue, never } from 'wonka'
import { en } from '../../i18n/en'
import { nl } from '../../i18n/nl'
import { renderWithProviders } from '../../test/render'
import { settingLimits, type Settings } from './settings'
import { SettingsForm } from './SettingsPanel'

const initial: Settings = { archiveThreshold: 10, archivedRetentionDays: 730, jobDataRetentionDays: 30, auditRetentionDays: 365 }

function clientSaving() {
  const mutation = vi.fn((op: { variables: { input: Partial<Settings> } }) =>
    fromValue({ operation: op, data: { updateSchoolSettings: { id: 's1', ...initial, ...op.variables.input } }, stale: false, hasNext: false }),
  )
  const client = { executeQuery: () => never, executeMutation: mutation, executeSubscription: () => never } as unknown as Client
  return { client, mutation }
}

describe('the audit log term in Beheer → Instellingen', () => {
  it('has the same bounds as the server (30 to 3650 days)', () => {
    expect(settingLimits.auditRetentionDays).toEqual({ min: 30, max: 3650 })
  })

  it('is named in Dutch and in English', () => {
    expect(nl['settings.auditRetentionDays']).toBe('Logboek bewaren')
    expect(nl['settings.auditRetentionDays.description']).toContain('365 dagen')
    expect(en['settings.auditRetentionDays']).toBe('Keep the audit log')
    expect(en['settings.auditRetentionDays.description']).toContain('365 days')
  })

  it('refuses a term out of bounds before it is sent, and sends only the changed term', async () => {
    const { client, mutation } = clientSaving()
    renderWithProviders(<SettingsForm schoolId="s1" initial={initial} />, { client })
    const input = screen.getByRole('textbox', { name: /Logboek bewaren/ })
    expect(input).toHaveValue('365 dagen')
    expect(screen.getByText('≈ 1 jaar')).toBeInTheDocument()
    const user = userEvent.setup()
    const save = screen.getByRole('button', { name: 'Instellingen opslaan' })

    await user.clear(input)
    await user.type(input, '29')
    expect(screen.getByText('Kies een heel getal van 30 tot en met 3650.')).toBeInTheDocument()
    expect(save).toBeDisabled()
    await user.clear(input)
    await user.type(input, '3651')
    expect(save).toBeDisabled()

    await user.clear(input)
    await user.type(input, '90')
    expect(save).toBeEnabled()
    await user.click(save)
    expect(mutation).toHaveBeenCalledTimes(1)
    expect(mutation.mock.calls[0][0].variables).toEqual({ schoolId: 's1', input: { auditRetentionDays: 90 } })
  })

  it('reads in English', () => {
    renderWithProviders(<SettingsForm schoolId="s1" initial={initial} />, { lang: 'en' })
    expect(screen.getByRole('textbox', { name: /Keep the audit log/ })).toHaveValue('365 days')
  })
})
