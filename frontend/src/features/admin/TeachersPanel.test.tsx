import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { Client } from 'urql'
import { describe, expect, it, vi } from 'vitest'
import { fromValue, never } from 'wonka'
import { renderWithProviders } from '../../test/render'
import { ClassesForm, type TeacherRow } from './TeachersPanel'

function clientSaving() {
  const mutation = vi.fn((op: { variables: { teacherId: string; classIds: string[] } }) =>
    fromValue({
      operation: op,
      data: { setTeacherClasses: { __typename: 'Account', id: op.variables.teacherId, teachingClasses: { __typename: 'ClassConnection', edges: [] } } },
      stale: false,
      hasNext: false,
    }),
  )
  const client = { executeQuery: () => never, executeMutation: mutation, executeSubscription: () => never } as unknown as Client
  return { client, mutation }
}

const classes = [
  { id: 'c1', name: '4HA' },
  { id: 'c2', name: '4h.en1' },
]
const options = classes.map((c) => ({ value: c.id, label: c.name }))

describe('Beheer → Docenten: the classes of a teacher', () => {
  it('saves the whole list when all of it is loaded', async () => {
    const { client, mutation } = clientSaving()
    const teacher: TeacherRow = { id: 't1', name: 'Joost Brands', username: 'jbrands', email: '', classes, classesTotal: 2 }
    renderWithProviders(<ClassesForm teacher={teacher} classOptions={options} onClose={vi.fn()} onSaved={vi.fn()} />, { client })
    expect(screen.queryByRole('alert')).not.toBeInTheDocument()
    await userEvent.setup().click(screen.getByRole('button', { name: 'Opslaan' }))
    expect(mutation).toHaveBeenCalledTimes(1)
    const [op] = mutation.mock.calls[0] as unknown as [{ variables: unknown }]
    expect(op.variables).toEqual({ teacherId: 't1', classIds: ['c1', 'c2'] })
  })

  it('does not save a list it loaded only in part (a save replaces the whole list)', async () => {
    const { client, mutation } = clientSaving()
    const teacher: TeacherRow = { id: 't2', name: 'Anna de Wit', username: 'awit', email: '', classes, classesTotal: 140 }
    renderWithProviders(<ClassesForm teacher={teacher} classOptions={options} onClose={vi.fn()} onSaved={vi.fn()} />, { client })
    expect(screen.getByRole('alert')).toHaveTextContent('Deze docent heeft 140 klassen en lesgroepen; hier staan er 2.')
    const save = screen.getByRole('button', { name: 'Opslaan' })
    expect(save).toBeDisabled()
    await userEvent.setup().click(save)
    expect(mutation).not.toHaveBeenCalled()
  })
})
