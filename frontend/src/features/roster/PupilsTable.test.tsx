import { screen, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { renderWithProviders } from '../../test/render'
import { PupilsTable, type PupilRow } from './PupilsTable'

const long = 'maximiliaan-alexander.vanderheijden@leerling.stedelijkgymnasiumvoorbeeldstad.example'
const row: PupilRow = {
  id: '1',
  externalKey: '77104',
  firstName: 'Maximiliaan-Alexander',
  infix: 'van der',
  lastName: 'Heijden-Vanderbilt',
  email: long,
  level: 'havo',
  year: 1,
  className: '7RA',
  archivedAt: '2026-12-07T10:00:00Z',
}

describe('PupilsTable', () => {
  it('shows a long e-mail address whole, wrapping after the @ and before the domain\'s dots, and the archived date unbroken', () => {
    renderWithProviders(
      <PupilsTable rows={[row]} sort="name" reversed={false} onSort={() => {}} label="Archief" showClass showArchivedAt />,
    )
    const cells = within(screen.getByRole('table', { name: 'Archief' })).getAllByRole('cell')
    const email = cells.find((c) => c.textContent === long)
    expect(email, 'the cell holds the full address').toBeDefined()
    // Break opportunities: after the @ and before each dot of the domain; anywhere as a last resort.
    expect(email!.querySelectorAll('wbr')).toHaveLength(3)
    expect((email!.firstElementChild as HTMLElement).style.overflowWrap).toBe('anywhere')
    const date = cells.find((c) => /dec\.? 2026/.test(c.textContent ?? ''))
    expect(date?.style.whiteSpace).toBe('nowrap')
    expect(screen.getByRole('columnheader', { name: 'Gearchiveerd op' }).style.whiteSpace).toBe('nowrap')
    // The name reads as before: "Heijden-Vanderbilt, Maximiliaan-Alexander van der".
    expect(cells.some((c) => c.textContent === 'Heijden-Vanderbilt, Maximiliaan-Alexander van der')).toBe(true)
  })
})
