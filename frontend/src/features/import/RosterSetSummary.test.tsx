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
  classParts: [],
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
    expect(screen.getByTestId('set-warnings')).toHaveTextContent('1 leerling zonder stamklas')
    expect(screen.getByTestId('set-warnings-advice')).toHaveTextContent('metadata.numo.classType=homeroom')
    expect(screen.getByTestId('set-warnings')).toHaveTextContent('StudentEnrollment.csv, regel 12: Leerling 7 heeft geen stamklas.')
    await userEvent.click(screen.getByRole('button', { name: 'Overgeslagen regels tonen' }))
    expect(screen.getByTestId('set-skipped')).toHaveTextContent('users.csv, regel 26: rol "guardian"')
    expect(screen.getByText('En nog 2 regels, die hier niet staan.')).toBeInTheDocument()
    await userEvent.click(screen.getByRole('button', { name: 'Verder met de leerlingen' }))
    expect(onNext).toHaveBeenCalledOnce()
    expect(screen.getByDisplayValue('Het Baken College (99XZ00)')).toBeInTheDocument()
  })

  it('asks which class parts are stamklassen when pupils have none, and reads the set again with the ticked ones', async () => {
    const teamsync: RosterSet = {
      ...set,
      format: 'SDS1',
      version: '1',
      schools: [school],
      skippedTotal: 0,
      skipped: [],
      warningsTotal: 5,
      warnings: [{ file: 'Student.csv', line: 2, message: 'leerling 400101: geen stamklas te bepalen', messageEn: 'pupil 400101: no stamklas' }],
      inferredClasses: [],
      classParts: [
        { name: '1A', pupils: 2, section: false },
        { name: '1B', pupils: 2, section: false },
        { name: '2A', pupils: 1, section: false },
      ],
    }
    const onStamklassen = vi.fn()
    const { unmount } = renderWithProviders(
      <RosterSetSummary set={teamsync} onSchool={() => {}} onStamklassen={onStamklassen} onNext={() => {}} />,
    )
    expect(screen.getByTestId('set-warnings')).toHaveTextContent('5 leerlingen zonder stamklas')
    expect(screen.getByTestId('set-warnings-advice')).toHaveTextContent('Vink hieronder aan welke klassen stamklassen zijn')
    const box = screen.getByTestId('set-stamklassen')
    expect(box).toHaveTextContent('Welke van deze zijn stamklassen?')
    const a = screen.getByRole('checkbox', { name: '1A (2 leerlingen)' })
    const c = screen.getByRole('checkbox', { name: '2A (1 leerling)' })
    expect(a).not.toBeChecked()
    expect(c).not.toBeChecked()
    const go = screen.getByRole('button', { name: 'Opnieuw inlezen met deze stamklassen' })
    expect(go).toBeDisabled()
    await userEvent.click(a)
    await userEvent.click(screen.getByRole('checkbox', { name: '1B (2 leerlingen)' }))
    await userEvent.click(go)
    expect(onStamklassen).toHaveBeenCalledWith(['1A', '1B'])
    unmount()

    // Read again with 1A and 1B: 2A's pupil still has none; the choice stays ticked.
    const again: RosterSet = { ...teamsync, inferRule: 'chosen', warningsTotal: 1,
      inferredClasses: [{ name: '1A', file: '', line: 0, pupils: 2 }, { name: '1B', file: '', line: 0, pupils: 2 }] }
    const { unmount: unmount2 } = renderWithProviders(
      <RosterSetSummary set={again} onSchool={() => {}} onStamklassen={onStamklassen} onNext={() => {}} />,
    )
    expect(screen.getByRole('checkbox', { name: '1A (2 leerlingen)' })).toBeChecked()
    expect(screen.getByRole('checkbox', { name: '2A (1 leerling)' })).not.toBeChecked()
    unmount2()

    // All chosen, no warning left: the box says it was the admin's choice (not inferred), and
    // the list stays to change it.
    const all: RosterSet = { ...again, warningsTotal: 0, warnings: [],
      inferredClasses: [...again.inferredClasses, { name: '2A', file: '', line: 0, pupils: 1 }] }
    const { unmount: unmount3 } = renderWithProviders(
      <RosterSetSummary set={all} onSchool={() => {}} onStamklassen={onStamklassen} onNext={() => {}} />,
    )
    expect(screen.getByTestId('set-inferred')).toHaveTextContent('Stamklassen zoals u ze koos')
    expect(screen.getByTestId('set-inferred')).toHaveTextContent('1A, 1B, 2A')
    expect(screen.getByRole('checkbox', { name: '2A (1 leerling)' })).toBeChecked()
    unmount3()

    // No warnings: nothing to ask.
    renderWithProviders(
      <RosterSetSummary set={{ ...teamsync, warningsTotal: 0, warnings: [] }} onSchool={() => {}} onStamklassen={onStamklassen} onNext={() => {}} />,
    )
    expect(screen.queryByTestId('set-stamklassen')).not.toBeInTheDocument()
  })

  it('asks in English too, with English plural forms', () => {
    const teamsync: RosterSet = {
      ...set,
      warningsTotal: 1,
      inferredClasses: [],
      classParts: [
        { name: '1A', pupils: 2, section: false },
        { name: '2A', pupils: 1, section: true },
      ],
    }
    renderWithProviders(<RosterSetSummary set={teamsync} onSchool={() => {}} onStamklassen={() => {}} onNext={() => {}} />, { lang: 'en' })
    expect(screen.getByTestId('set-stamklassen')).toHaveTextContent('Which of these are stamklassen?')
    expect(screen.getByRole('checkbox', { name: '1A (2 pupils)' })).toBeInTheDocument()
    expect(screen.getByRole('checkbox', { name: '2A (1 pupil)' })).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Read again with these stamklassen' })).toBeDisabled()
  })

  it('takes several files or one zip as a set, one CSV as a file', () => {
    const f = (name: string) => new File(['x'], name)
    expect(isRosterSet([f('leerlingen.csv')])).toBe(false)
    expect(isRosterSet([f('set.ZIP')])).toBe(true)
    expect(isRosterSet([f('users.csv'), f('roles.csv')])).toBe(true)
  })
})
