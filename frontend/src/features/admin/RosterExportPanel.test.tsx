import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { renderWithProviders } from '../../test/render'
import { RosterExport } from './RosterExportPanel'
import { rosterExportUrl } from './rosterExport'

describe('Beheer → Exporteren: the OneRoster 1.2 download', () => {
  it('links to the school’s export, with archived accounts only when asked', async () => {
    renderWithProviders(<RosterExport schoolId="17179869185" />)
    const link = screen.getByRole('link', { name: 'Rooster exporteren (OneRoster 1.2)' })
    expect(link).toHaveAttribute('href', '/api/schools/17179869185/oneroster.zip')
    expect(link).toHaveAttribute('download')
    expect(screen.getByText(/stamklassen en lesgroepen/)).toBeInTheDocument()
    await userEvent.click(screen.getByRole('switch', { name: /Ook gearchiveerde accounts/ }))
    expect(link).toHaveAttribute('href', '/api/schools/17179869185/oneroster.zip?archived=true')
  })

  it('speaks English', () => {
    renderWithProviders(<RosterExport schoolId="s1" />, { lang: 'en' })
    expect(screen.getByRole('link', { name: 'Export roster (OneRoster 1.2)' })).toHaveAttribute('href', '/api/schools/s1/oneroster.zip')
    expect(screen.getByText(/no passwords/)).toBeInTheDocument()
  })

  it('escapes the school id', () => {
    expect(rosterExportUrl('a/b', false)).toBe('/api/schools/a%2Fb/oneroster.zip')
  })
})
