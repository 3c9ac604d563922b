import { screen } from '@testing-library/react'
import { MemoryRouter } from 'react-router'
import type { Client } from 'urql'
import { describe, expect, it, vi } from 'vitest'
import { fromValue, never } from 'wonka'
import { renderWithProviders } from '../../test/render'
import { HistoryPage } from './HistoryPage'

vi.mock('../../school/SchoolProvider', () => ({ useSchool: () => ({ school: { id: 'school1' } }) }))

/** One committed import in the history, with the values it kept and the damaged names it imported. */
function historyClient(counts: { kept: number; damaged: number }) {
  const job = {
    __typename: 'ImportJob',
    id: 'job3',
    createdAt: '2026-09-01T08:00:00Z',
    committedAt: '2026-09-01T08:01:00Z',
    fileName: 'leerlingen_excel.csv',
    rowCount: 6,
    status: 'COMMITTED',
    added: 1,
    updated: 1,
    archived: 0,
    removed: 0,
    unchanged: 4,
    refused: 0,
    ...counts,
    error: null,
    reportUrl: '/api/import-jobs/3/report.csv',
    kind: 'IMPORT',
    undoneAt: null,
    undoOf: null,
  }
  const data = {
    node: {
      __typename: 'School',
      id: 'school1',
      importJobs: { totalCount: 1, pageInfo: { hasNextPage: false, endCursor: null }, edges: [{ node: job }] },
    },
  }
  return {
    executeQuery: () => fromValue({ data, stale: false, hasNext: false }),
    executeMutation: () => never,
    executeSubscription: () => never,
  } as unknown as Client
}

const render = (counts: { kept: number; damaged: number }, lang: 'nl' | 'en' = 'nl') =>
  renderWithProviders(
    <MemoryRouter>
      <HistoryPage />
    </MemoryRouter>,
    { client: historyClient(counts), lang },
  )

describe('HistoryPage', () => {
  it('shows the values an import kept from a damaged file beside its other counts', async () => {
    render({ kept: 5, damaged: 2 })
    expect(
      await screen.findByText(
        '1 toegevoegd, 1 bijgewerkt, 0 gearchiveerd, 0 geweigerd, 4 ongewijzigd, 5 waarden behouden (bestand beschadigd), 2 namen met verloren letters',
      ),
    ).toBeVisible()
  })
  it('says one value and one name in the singular, in both languages', async () => {
    render({ kept: 1, damaged: 1 }, 'en')
    expect(
      await screen.findByText('1 added, 1 updated, 0 archived, 0 refused, 4 unchanged, 1 value kept (file damaged), 1 name with lost letters'),
    ).toBeVisible()
  })
})
