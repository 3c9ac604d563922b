import { screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { renderWithProviders } from '../../test/render'
import { ClassSummary, type ClassSummaryData } from './ClassSummary'
import { CorrectionsList } from './CorrectionsNote'
import { correctedLines, correctionFields, type RefusedRow } from './corrections'

const summary: ClassSummaryData = {
  moves: [
    { from: '1A', to: '2A', count: 26 },
    { from: null, to: '1B', count: 3 },
  ],
  movesTotal: 2,
  emptyClasses: ['1A'],
  newClasses: ['2A'],
  withoutEmail: 1,
}

describe('ClassSummary', () => {
  it('says per class what the import does, with plural rules', () => {
    renderWithProviders(<ClassSummary summary={summary} />)
    expect(screen.getByTestId('class-moves')).toHaveTextContent('1A → 2A: 26')
    expect(screen.getByTestId('class-moves')).toHaveTextContent('nieuw → 1B: 3')
    expect(screen.getByTestId('classes-empty')).toHaveTextContent('1 klas wordt leeg:1A')
    expect(screen.getByTestId('classes-new')).toHaveTextContent('1 nieuwe klas:2A')
    expect(screen.getByTestId('without-email')).toHaveTextContent('1 leerling heeft na de import geen e-mailadres.')
  })

  it('speaks of teachers in a teacher import, and shows nothing when nothing happens', () => {
    const { unmount } = renderWithProviders(<ClassSummary summary={{ ...summary, withoutEmail: 4 }} kind="TEACHERS" />)
    expect(screen.getByTestId('without-email')).toHaveTextContent('4 docenten hebben na de import geen e-mailadres.')
    unmount()
    renderWithProviders(<ClassSummary summary={{ moves: [], movesTotal: 0, emptyClasses: [], newClasses: [], withoutEmail: 0 }} />)
    expect(screen.queryByTestId('class-summary')).not.toBeInTheDocument()
  })
})

const row: RefusedRow = {
  line: 3,
  key: '3002',
  firstName: 'Zoë',
  infix: '',
  lastName: '',
  className: '1A',
  level: 'havo',
  year: 1,
  email: 'zoe@leerling.example.nl',
  reasons: [{ column: 'Achternaam' }],
}
const columns = [
  { index: 0, header: 'Stamnr', field: 'key' },
  { index: 1, header: 'Roepnaam', field: 'firstName' },
  { index: 3, header: 'Achternaam', field: 'lastName' },
  { index: 4, header: 'Opmerking', field: null },
]

describe('correctionFields', () => {
  it('offers the columns the reasons name, with an earlier correction as the value', () => {
    expect(correctionFields(row, columns, [])).toEqual([{ column: columns[2], value: '' }])
    const earlier = [{ line: 3, column: 'Achternaam', before: '', after: 'Ærts' }]
    expect(correctionFields(row, columns, earlier)).toEqual([{ column: columns[2], value: 'Ærts' }])
  })

  it('offers every mapped column when no reason names one (a row with too many cells)', () => {
    const offered = correctionFields({ ...row, reasons: [{ column: null }] }, columns, [])
    expect(offered.map((f) => [f.column.header, f.value])).toEqual([
      ['Stamnr', '3002'],
      ['Roepnaam', 'Zoë'],
      ['Achternaam', ''],
    ])
  })
})

describe('CorrectionsList', () => {
  it('counts the corrected rows, not the cells, and shows each cell before → after', () => {
    const cs = [
      { line: 3, column: 'Achternaam', before: '', after: 'Ærts' },
      { line: 3, column: 'E-mail', before: 'x@school', after: 'x@school.nl' },
      { line: 7, sourceFile: 'users.csv', column: 'Roepnaam', before: 'Jos?', after: 'José' },
    ]
    expect(correctedLines(cs)).toEqual(['3', 'users.csv:7'])
    renderWithProviders(<CorrectionsList corrections={cs} />)
    expect(screen.getByText('2 regels in de app verbeterd')).toBeInTheDocument()
    expect(screen.getByTestId('corrections-note')).toHaveTextContent('Regel 3, Achternaam: ∅ → Ærts')
    expect(screen.getByTestId('corrections-note')).toHaveTextContent('users.csv, regel 7, Roepnaam: Jos? → José')
  })
})
