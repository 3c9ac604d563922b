import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { renderWithProviders } from '../../test/render'
import { MappingStep, type MappingJob } from './MappingStep'

const fields = [
  { name: 'key', label: 'Stamnummer', labelEn: 'Pupil number', required: true },
  { name: 'firstName', label: 'Roepnaam', labelEn: 'First name', required: true },
  { name: 'infix', label: 'Tussenvoegsel', labelEn: 'Infix', required: false },
  { name: 'lastName', label: 'Achternaam', labelEn: 'Last name', required: true },
  { name: 'class', label: 'Klas', labelEn: 'Class', required: true },
]

function job(overrides: Partial<Record<string, string | null>> = {}): MappingJob {
  const columns = [
    { header: 'Stamnr', field: 'key', samples: ['10234', '10235', '10236'] },
    { header: 'Roepnaam', field: 'firstName', samples: ['Anouk', 'Daan'] },
    { header: 'Tussenv', field: 'infix', samples: ['van der', 'de'] },
    { header: 'Achternaam', field: 'lastName', samples: ['Bakker', 'Jansen'] },
    { header: 'Klas', field: 'class', samples: ['1A', '1B'] },
  ].map((c, index) => ({
    index,
    header: c.header,
    samples: c.samples,
    field: c.header in overrides ? (overrides[c.header] ?? null) : c.field,
    confidence: 1,
  }))
  return { id: 'job1', columns, fields, levels: ['vmbo-bb', 'havo', 'vwo'], levelValues: [], mappingProblems: [] }
}

const next = () => screen.getByRole('button', { name: 'Verder' })

describe('MappingStep', () => {
  it('lets a complete automatic mapping through and marks its confidence', () => {
    renderWithProviders(<MappingStep job={job()} onBack={vi.fn()} onDone={vi.fn()} />)
    expect(next()).toBeEnabled()
    expect(screen.getAllByText('automatisch 100 %')).toHaveLength(5)
    expect(screen.queryByText('U kunt nog niet verder')).not.toBeInTheDocument()
  })

  it('blocks "Verder" and says which required field is unmatched', () => {
    renderWithProviders(<MappingStep job={job({ Achternaam: null })} onBack={vi.fn()} onDone={vi.fn()} />)
    expect(next()).toBeDisabled()
    const reason = screen.getByText('Het verplichte veld “Achternaam” is aan geen enkele kolom gekoppeld.')
    expect(reason).toBeVisible()
    // The disabled button points at the reason, for screen readers.
    expect(next()).toHaveAttribute('aria-describedby', 'mapping-problems')
    expect(document.getElementById('mapping-problems')).toContainElement(reason)
  })

  it('blocks "Verder" on a double match and names both columns', () => {
    renderWithProviders(<MappingStep job={job({ Tussenv: 'lastName' })} onBack={vi.fn()} onDone={vi.fn()} />)
    expect(next()).toBeDisabled()
    expect(
      screen.getByText('Het veld “Achternaam” is aan meer dan één kolom gekoppeld (Tussenv, Achternaam). Koppel het aan één kolom.'),
    ).toBeVisible()
  })

  it('unblocks once the admin fixes the mapping with the dropdown', async () => {
    const user = userEvent.setup()
    renderWithProviders(<MappingStep job={job({ Achternaam: null })} onBack={vi.fn()} onDone={vi.fn()} />)
    expect(next()).toBeDisabled()
    await user.click(screen.getByRole('combobox', { name: 'Veld voor kolom Achternaam' }))
    const listbox = await screen.findByRole('listbox')
    await user.click(within(listbox).getByRole('option', { name: 'Achternaam *' }))
    expect(next()).toBeEnabled()
    expect(screen.getByText('handmatig gekozen')).toBeVisible()
  })

  it('speaks English when switched', () => {
    renderWithProviders(<MappingStep job={job({ Klas: null })} onBack={vi.fn()} onDone={vi.fn()} />, { lang: 'en' })
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled()
    expect(screen.getByText('The required field “Class” is not matched to any column.')).toBeVisible()
  })
})
