import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { renderWithProviders } from '../../test/render'
import { isRosterSet } from './FileStep'
import { RosterSetSummary, type RosterSet } from './RosterSetSummary'

const school = { sourceId: 'org-baken', name: 'Het Baken College', identifier: '99XZ00' }
const set: RosterSet = {
  format: 'ONEROSTER1.2',
  version: '1.2',
  pupils: 24,
  teachers: 1,
  groups: 6,
  skippedTotal: 3,
  warningsTotal: 1,
  warnings: [{ file: 'StudentEnrollment.csv', line: 12, message: 'Leerling 7 heeft geen stamklas.', messageEn: 'Pupil 7 has no stamklas.' }],
  inferRule: 'sds-section-names',
  inferredClasses: [
    { name: 'H4a', file: 'Section.csv', line: 2, pupils: 12 },
    { name: 'H4b', file: 'Section.csv', line: 3, pupils: 12 },
  ],
  skipped: [{ file: 'users.csv', line: 26, reason: 'rol "guardian": Numo leest alleen leerlingen en docenten', reasonEn: 'role "guardian"' }],
  school,
  schools: [school, { sourceId: 'org-horst', name: 'Lyceum De Horst', identifier: '98YY01' }],
  jobs: [
    { id: '1', fileKind: 'PUPILS', status: 'UPLOADED' },
    { id: '2', fileKind: 'TEACHERS', status: 'UPLOADED' },
  ],
}

describe('RosterSetSummary', () => {
  it('says what was recognised, with plural forms, and lists the skipped rows on request', async () => {
    const onNext = vi.fn()
    renderWithProviders(<RosterSetSummary set={set} onSchool={() => {}} onNext={onNext} />)
    expect(screen.getByTestId('set-recognised')).toHaveTextContent(
      'Herkend: OneRoster 1.2 — 24 leerlingen, 1 docent, 6 lesgroepen; 3 regels overgeslagen',
    )
    expect(screen.getByTestId('set-inferred')).toHaveTextContent('H4a, H4b')
    expect(screen.getByTestId('set-warnings')).toHaveTextContent('1 regel met een probleem')
    expect(screen.getByTestId('set-warnings')).toHaveTextContent('StudentEnrollment.csv, regel 12: Leerling 7 heeft geen stamklas.')
    await userEvent.click(screen.getByRole('button', { name: 'Overgeslagen regels tonen' }))
    expect(screen.getByTestId('set-skipped')).toHaveTextContent('users.csv, regel 26: rol "guardian"')
    expect(screen.getByText('En nog 2 regels, die hier niet staan.')).toBeInTheDocument()
    await userEvent.click(screen.getByRole('button', { name: 'Verder met de leerlingen' }))
    expect(onNext).toHaveBeenCalledOnce()
    expect(screen.getByDisplayValue('Het Baken College (99XZ00)')).toBeInTheDocument()
  })

  it('takes several files or one zip as a set, one CSV as a file', () => {
    const f = (name: string) => new File(['x'], name)
    expect(isRosterSet([f('leerlingen.csv')])).toBe(false)
    expect(isRosterSet([f('set.ZIP')])).toBe(true)
    expect(isRosterSet([f('users.csv'), f('roles.csv')])).toBe(true)
  })
})
