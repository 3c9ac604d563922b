import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { Client } from 'urql'
import { describe, expect, it, vi } from 'vitest'
import { fromValue, never } from 'wonka'
import { renderWithProviders } from '../../test/render'
import { formatUndoCounts } from '../import/format'
import { undoableJobId } from './status'
import { UndoModal } from './UndoModal'

describe('undoableJobId', () => {
  it('is the newest committed import', () => {
    expect(
      undoableJobId([
        { id: '5', kind: 'IMPORT', status: 'PREVIEWED' },
        { id: '4', kind: 'IMPORT', status: 'COMMITTED' },
        { id: '3', kind: 'IMPORT', status: 'COMMITTED' },
      ]),
    ).toBe('4')
  })
  it('skips undo jobs and undone imports', () => {
    expect(
      undoableJobId([
        { id: '9', kind: 'UNDO', status: 'COMMITTED' },
        { id: '8', kind: 'IMPORT', status: 'UNDONE' },
        { id: '7', kind: 'IMPORT', status: 'COMMITTED' },
      ]),
    ).toBe('7')
  })
  it('is none while an import is being committed', () => {
    expect(
      undoableJobId([
        { id: '2', kind: 'IMPORT', status: 'COMMITTING' },
        { id: '1', kind: 'IMPORT', status: 'COMMITTED' },
      ]),
    ).toBeNull()
  })
})

describe('formatUndoCounts', () => {
  const i18n = { t: (k: string, v?: Record<string, unknown>) => `${k}:${v?.n}`, num: String }
  it('names what was put back, deleted and left alone', () => {
    expect(formatUndoCounts({ updated: 3, archived: 0, removed: 2, unchanged: 0 }, i18n as never)).toBe('counts.restored:3, counts.removed:2')
    expect(formatUndoCounts({ updated: 3, archived: 0, removed: 2, unchanged: 1 }, i18n as never)).toBe(
      'counts.restored:3, counts.removed:2, counts.leftAlone:1',
    )
  })
  it('still names the accounts an older undo archived', () => {
    expect(formatUndoCounts({ updated: 3, archived: 2, removed: 0, unchanged: 0 }, i18n as never)).toBe(
      'counts.restored:3, counts.archived:2, counts.removed:0',
    )
  })
})

const job = { id: 'job7', fileName: 'magister_2027.csv', createdAt: '2026-09-01T08:00:00Z' }

function clientWith(preview: unknown, mutation = vi.fn(() => never)) {
  return {
    client: {
      executeQuery: () => fromValue({ data: { undoPreview: preview }, stale: false, hasNext: false }),
      executeMutation: mutation,
      executeSubscription: () => never,
    } as unknown as Client,
    mutation,
  }
}

const preview = {
  __typename: 'UndoPreview',
  jobId: 'job7',
  possible: true,
  reason: null,
  reasonEn: null,
  removeAdded: 6,
  restoreUpdated: 30,
  reactivate: 7,
  removeClasses: ['2HV2', '3H1'],
  groupsJoined: 1,
  groupsLeft: 240,
  conflicts: [] as unknown[],
}

describe('UndoModal', () => {
  it('says what the undo will do before it does it', async () => {
    const { client, mutation } = clientWith(preview)
    renderWithProviders(<UndoModal job={job} onClose={vi.fn()} onUndone={vi.fn()} />, { client })
    expect(await screen.findByText('7 gearchiveerde accounts worden weer actief')).toBeVisible()
    expect(screen.getByText('6 toegevoegde accounts worden verwijderd, met hun geschiedenis')).toBeVisible()
    expect(screen.getByText('2HV2')).toBeVisible()
    expect(screen.getByText('1 plaats in een groep (lesgroep of lesopdracht) komt terug')).toBeVisible()
    expect(screen.getByText('240 plaatsen in groepen die de import gaf, vervallen')).toBeVisible()
    await userEvent.setup().click(screen.getByRole('button', { name: 'Ongedaan maken' }))
    expect(mutation).toHaveBeenCalled()
    const [op] = mutation.mock.calls[0] as unknown as [{ variables: unknown }]
    expect(op.variables).toEqual({ jobId: 'job7', skipConflicts: false })
  })

  it('lists the accounts changed later and only goes on when they may stay as they are', async () => {
    const conflicts = [{ __typename: 'UndoConflict', accountId: 'a1', key: '24101', name: 'Anouk van der Berg', reason: 'gewijzigd na deze import', reasonEn: 'changed after this import' }]
    const { client, mutation } = clientWith({ ...preview, conflicts })
    renderWithProviders(<UndoModal job={job} onClose={vi.fn()} onUndone={vi.fn()} />, { client })
    expect(await screen.findByText('1 account is na deze import nog gewijzigd')).toBeVisible()
    expect(screen.getByRole('cell', { name: 'Anouk van der Berg' })).toBeVisible()
    const confirm = screen.getByRole('button', { name: 'Ongedaan maken' })
    expect(confirm).toBeDisabled()
    const user = userEvent.setup()
    await user.click(screen.getByRole('checkbox', { name: /dit ene account blijft zoals het is/ }))
    expect(confirm).toBeEnabled()
    await user.click(confirm)
    const [op] = mutation.mock.calls[0] as unknown as [{ variables: unknown }]
    expect(op.variables).toEqual({ jobId: 'job7', skipConflicts: true })
  })

  it('explains why an import cannot be undone', async () => {
    const { client } = clientWith({ ...preview, possible: false, reason: 'Deze import is al ongedaan gemaakt.', reasonEn: 'This import was undone already.' })
    renderWithProviders(<UndoModal job={job} onClose={vi.fn()} onUndone={vi.fn()} />, { client })
    expect(await screen.findByText('Deze import is al ongedaan gemaakt.')).toBeVisible()
    expect(screen.queryByRole('button', { name: 'Ongedaan maken' })).not.toBeInTheDocument()
  })
})
