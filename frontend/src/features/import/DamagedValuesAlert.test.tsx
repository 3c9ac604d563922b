import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { renderWithProviders } from '../../test/render'
import { DamagedValuesAlert, damagedShown, type Damaged } from './DamagedValuesAlert'

const kept: Damaged[] = [
  { line: 2, column: 'Roepnaam', field: 'firstName', key: '5001', stored: 'Ayşe', file: 'Ay?e', kept: true },
  { line: 2, column: 'Achternaam', field: 'lastName', key: '5001', stored: 'Yıldız', file: 'Y?ld?z', kept: true },
]
const written: Damaged[] = [{ line: 7, column: 'Achternaam', field: 'lastName', key: '5006', stored: '', file: 'Ayd?n', kept: false }]

describe('DamagedValuesAlert', () => {
  it('renders nothing without damaged values', () => {
    renderWithProviders(<DamagedValuesAlert values={[]} />)
    expect(screen.queryByRole('alert')).not.toBeInTheDocument()
    expect(screen.queryByRole('table')).not.toBeInTheDocument()
  })

  it('warns about names imported as written, as an alert, and lists the kept values with both spellings', () => {
    renderWithProviders(<DamagedValuesAlert values={[...kept, ...written]} />)
    const alert = screen.getByTestId('damaged-written')
    expect(alert).toHaveAttribute('role', 'alert')
    expect(alert).toHaveTextContent('1 naam mist letters en wordt zo ingelezen')
    expect(within(alert).getByRole('table', { name: 'Namen met verloren letters' })).toHaveTextContent('5006AchternaamAyd?n')
    const keptTable = screen.getByRole('table', { name: 'Behouden waarden' })
    expect(within(keptTable).getAllByRole('row')).toHaveLength(3)
    expect(keptTable).toHaveTextContent('Ayşe')
    expect(keptTable).toHaveTextContent('Ay?e')
    expect(screen.getByText('2 waarden behouden: het bestand is beschadigd')).toBeInTheDocument()
  })

  it('speaks English and past tense on the result', () => {
    renderWithProviders(<DamagedValuesAlert values={[...kept, ...written]} committed />, { lang: 'en' })
    expect(screen.getByText('2 values kept: the file was damaged')).toBeInTheDocument()
    expect(screen.getByTestId('damaged-written')).toHaveTextContent('1 name with lost letters was imported')
    expect(screen.getByRole('columnheader', { name: 'In Numo (kept)' })).toBeInTheDocument()
  })

  it('shows the first rows and all of them on request', async () => {
    const many = Array.from({ length: damagedShown + 5 }, (_, i) => ({ ...kept[0], line: i + 2 }))
    renderWithProviders(<DamagedValuesAlert values={many} />)
    const table = screen.getByRole('table', { name: 'Behouden waarden' })
    expect(within(table).getAllByRole('row')).toHaveLength(damagedShown + 1)
    await userEvent.click(screen.getByRole('button', { name: `Toon alle ${damagedShown + 5}` }))
    expect(within(table).getAllByRole('row')).toHaveLength(damagedShown + 6)
  })
})
