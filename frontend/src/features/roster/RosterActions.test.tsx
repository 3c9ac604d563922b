import { fireEvent, screen } from '@testing-library/react'
import { MemoryRouter } from 'react-router'
import type { Client } from 'urql'
import { describe, expect, it, vi } from 'vitest'
import { fromValue, never } from 'wonka'
import { renderWithProviders } from '../../test/render'
import { PupilsTable, type PupilRow } from './PupilsTable'
import { RosterActionsBar, RosterCsvButton } from './RosterActions'

const pupil = (id: string, firstName: string, lastName: string): PupilRow => ({
  id, externalKey: id, firstName, infix: '', lastName, email: '', level: 'havo', year: 1,
})
const rows = [pupil('1', 'Floor', 'Jansen'), pupil('2', 'Noor', 'Bakker'), pupil('3', 'Milan', 'Kok')]

const classesClient = {
  executeQuery: () =>
    fromValue({
      data: {
        node: {
          __typename: 'School',
          id: 's1',
          classes: { totalCount: 2, edges: [{ node: { id: 'c1', name: '7RA' } }, { node: { id: 'c2', name: '7RB' } }] },
        },
      },
      stale: false,
      hasNext: false,
    }),
  executeMutation: () => never,
  executeSubscription: () => never,
} as unknown as Client

describe('PupilsTable selection', () => {
  it('selects one row, and every row of the page from the header', () => {
    const onToggle = vi.fn()
    const onTogglePage = vi.fn()
    renderWithProviders(
      <PupilsTable rows={rows} sort="name" reversed={false} onSort={() => {}} label="Klas 7RA"
        selection={{ selected: new Set(['2']), onToggle, onTogglePage }} />,
    )
    expect(screen.getByRole('checkbox', { name: 'Noor Bakker selecteren' })).toBeChecked()
    fireEvent.click(screen.getByRole('checkbox', { name: 'Floor Jansen selecteren' }))
    expect(onToggle).toHaveBeenCalledWith('1')
    const all = screen.getByRole('checkbox', { name: 'Alle leerlingen op deze pagina selecteren' })
    expect(all).toHaveAttribute('data-indeterminate', 'true')
    fireEvent.click(all)
    expect(onTogglePage).toHaveBeenCalledWith(['1', '2', '3'], true)
  })
})

describe('RosterActionsBar', () => {
  it('is nothing without a selection, and counts the selection with the plural rules', () => {
    const empty = renderWithProviders(
      <MemoryRouter>
        <RosterActionsBar schoolId="s1" classId="c1" selected={[]} onClear={() => {}} />
      </MemoryRouter>,
      { client: classesClient },
    )
    expect(screen.queryByRole('region')).toBeNull()
    empty.unmount()
    renderWithProviders(
      <MemoryRouter>
        <RosterActionsBar schoolId="s1" classId="c1" selected={['1']} onClear={() => {}} />
      </MemoryRouter>,
      { client: classesClient },
    )
    expect(screen.getByText('1 leerling geselecteerd')).toBeVisible()
    // Moving waits for a target class; archiving does not.
    expect(screen.getByRole('button', { name: 'Verplaatsen' })).toBeDisabled()
    expect(screen.getByRole('button', { name: 'Archiveren' })).toBeEnabled()
  })
})

describe('RosterCsvButton', () => {
  it('links to the CSV in the app language, and is nothing without a URL', () => {
    const none = renderWithProviders(<RosterCsvButton url={null} name="Klas 7RA" />)
    expect(screen.queryByRole('link')).toBeNull()
    none.unmount()
    renderWithProviders(<RosterCsvButton url="/api/classes/5/roster.csv" name="Klas 7RA" />, { lang: 'en' })
    expect(screen.getByRole('link', { name: 'Download the list of pupils of Klas 7RA as CSV' })).toHaveAttribute(
      'href',
      '/api/classes/5/roster.csv?lang=en',
    )
  })
})
