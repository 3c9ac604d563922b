import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { Client } from 'urql'
import { describe, expect, it, vi } from 'vitest'
import { fromValue, never } from 'wonka'
import { en } from '../../i18n/en'
import { nl } from '../../i18n/nl'
import { renderWithProviders } from '../../test/render'
import { dutchDay } from './format'
import { LettersButton } from './LettersButton'

const answer = {
  pdfUrl: '/api/letters/inlogbrieven.pdf?handle=h1',
  csvUrl: '/api/letters/inlogbrieven.csv?handle=h1',
  downloadBefore: '2026-09-07T10:30:00Z',
  letters: 27,
  newUsernames: 1,
  classes: 1,
  validUntil: '2026-09-21T21:59:59Z',
}

function clientGenerating() {
  const mutation = vi.fn((op: { variables: unknown }) =>
    fromValue({ operation: op, data: { generateStartCodes: answer }, stale: false, hasNext: false }),
  )
  const client = { executeQuery: () => never, executeMutation: mutation, executeSubscription: () => never } as unknown as Client
  return { client, mutation }
}

describe('Inlogbrieven maken', () => {
  it('asks first, says the old codes stop working, then offers the PDF and the CSV', async () => {
    const { client, mutation } = clientGenerating()
    renderWithProviders(<LettersButton schoolId="s1" scope={{ classId: 'c1' }} label="klas 1A" />, { client })
    const user = userEvent.setup()
    await user.click(screen.getByRole('button', { name: 'Inlogbrieven maken' }))
    const dialog = await screen.findByRole('dialog', { name: 'Inlogbrieven voor klas 1A' })
    expect(within(dialog).getByText('Eerdere startcodes werken niet meer')).toBeInTheDocument()
    expect(mutation).not.toHaveBeenCalled()

    await user.click(within(dialog).getByTestId('letters-confirm'))
    expect(mutation).toHaveBeenCalledTimes(1)
    expect(mutation.mock.calls[0][0].variables).toEqual({ input: { schoolId: 's1', classId: 'c1' } })
    expect(await within(dialog).findByText('27 inlogbrieven gemaakt')).toBeInTheDocument()
    expect(within(dialog).getByText('1 account kreeg een gebruikersnaam')).toBeInTheDocument() // plural rules: one
    expect(within(dialog).getByText('De startcodes werken tot en met 21 september 2026.')).toBeInTheDocument()
    const pdf = within(dialog).getByRole('link', { name: 'PDF om te printen' })
    expect(pdf).toHaveAttribute('href', answer.pdfUrl)
    expect(within(dialog).getByRole('link', { name: 'CSV voor een mailing' })).toHaveAttribute('href', answer.csvUrl)
  })

  it('is complete in English', () => {
    for (const key of Object.keys(nl).filter((k) => k.startsWith('letters.') || k.startsWith('login.startCode'))) {
      expect(en[key as keyof typeof en], key).toBeTruthy()
    }
    expect(dutchDay('2026-09-21T21:59:59Z', 'en')).toBe('21 September 2026')
    expect(dutchDay('2026-12-31T23:30:00Z', 'nl')).toBe('1 januari 2027') // the Dutch day, whatever the browser's zone
  })
})
