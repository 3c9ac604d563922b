import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { describe, expect, it } from 'vitest'
import { renderWithProviders } from '../../test/render'
import { yearGuardConfirmed, type YearGuard } from './yearGuard'
import { YearGuardAlert } from './YearGuardAlert'

const backwards: YearGuard = { confirmationRequired: true, yearDown: 240, activePupils: 610, thresholdPercent: 10 }

/** The alert with its typed number, and whether Importeren would be enabled. */
function Harness({ guard }: { guard: YearGuard }) {
  const [typed, setTyped] = useState<number | ''>('')
  return (
    <>
      <YearGuardAlert guard={guard} value={typed} onChange={setTyped} />
      <button type="button" disabled={!yearGuardConfirmed(guard, typed)}>
        Importeren
      </button>
    </>
  )
}

describe('YearGuardAlert', () => {
  it('renders nothing and blocks nothing under the threshold', () => {
    renderWithProviders(<Harness guard={{ ...backwards, confirmationRequired: false, yearDown: 3 }} />)
    expect(screen.queryByTestId('year-guard')).not.toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Importeren' })).toBeEnabled()
  })

  it('says in plain Dutch how many pupils go back a year and blocks until that number is typed', async () => {
    renderWithProviders(<Harness guard={backwards} />)
    const alert = screen.getByTestId('year-guard')
    expect(alert).toHaveAttribute('role', 'alert')
    expect(alert).toHaveTextContent('Let op: 240 leerlingen gaan een leerjaar terug')
    expect(alert).toHaveTextContent('Deze import zet 240 van de 610 actieve leerlingen in een lager leerjaar; dat is meer dan 10 %.')
    expect(alert).toHaveTextContent('bestand van vorig schooljaar')
    const button = screen.getByRole('button', { name: 'Importeren' })
    expect(button).toBeDisabled()
    const input = screen.getByLabelText('Typ het aantal leerlingen dat een leerjaar teruggaat (240) om te bevestigen')
    const user = userEvent.setup()
    await user.type(input, '24')
    expect(screen.getByText('Dit is niet het aantal leerlingen dat een leerjaar teruggaat.')).toBeVisible()
    expect(button).toBeDisabled()
    await user.type(input, '0')
    expect(button).toBeEnabled()
    expect(screen.queryByText('Dit is niet het aantal leerlingen dat een leerjaar teruggaat.')).not.toBeInTheDocument()
  })

  it('speaks English', () => {
    renderWithProviders(<Harness guard={backwards} />, { lang: 'en' })
    expect(screen.getByTestId('year-guard')).toHaveTextContent('Note: 240 pupils go back a school year')
    expect(screen.getByLabelText('Type the number of pupils going back a school year (240) to confirm')).toBeInTheDocument()
  })
})
