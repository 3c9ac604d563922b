import { screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { renderWithProviders } from '../../test/render'
import { ProgressStep } from './ProgressStep'

describe('ProgressStep', () => {
  it.each([
    ['writing', 'nl', 'Accounts opslaan'],
    ['writing', 'en', 'Saving accounts'],
    ['queued', 'nl', 'Wachten op de start'],
    ['planning', 'nl', 'Plan controleren'],
  ] as const)('names the phase %s in %s as "%s", whatever the import does', (phase, lang, label) => {
    renderWithProviders(<ProgressStep jobId="j1" initial={{ done: 0, total: 3, phase }} onFinished={() => {}} />, { lang })
    expect(screen.getByText(label)).toBeInTheDocument()
    expect(screen.queryByText(/bijwerken|Updating/)).not.toBeInTheDocument()
  })
})
