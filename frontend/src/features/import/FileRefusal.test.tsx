import { screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import type { ApiError } from '../../api/errors'
import { renderWithProviders } from '../../test/render'
import { FileRefusal } from './FileStep'

const headerOnly: ApiError = {
  code: 'FILE_REJECTED',
  reason: 'no_rows',
  line: 1,
  message:
    'Het bestand heeft alleen een kopregel en geen leerlingen. Exporteer de leerlingenlijst opnieuw en zorg dat de leerlingen geselecteerd zijn. Controleer in Magister of Somtoday het filter van de export (schooljaar, peildatum, klas of lesgroep): staat daar niemand in, dan is het bestand leeg.',
  messageEn: 'The file only has a header row and no pupils. Export the pupil list again with the pupils selected. In Magister or Somtoday, check the export\'s filter (school year, reference date, class or group): if nobody matches it, the file is empty.',
  problems: [],
  unknownLevels: [],
}

const quoteOnLine9: ApiError = {
  code: 'FILE_REJECTED',
  reason: 'unclosed_quote',
  line: 9,
  message:
    'Op deze regel begint een waarde met een aanhalingsteken (") dat pas op regel 12 wordt gesloten, zodat de regels daartussen in één cel belanden. Controleer de aanhalingstekens op deze regel en sla het bestand opnieuw op.',
  messageEn: 'On this line a value starts with a quote (") that is only closed on line 12, so the lines in between end up in one cell. Check the quotes on this line and save the file again.',
  problems: [],
  unknownLevels: [],
}

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length

describe('FileRefusal', () => {
  it('gives a header-only file its own advice, without the generic tips', () => {
    renderWithProviders(<FileRefusal rejected={headerOnly} />)
    const alert = screen.getByRole('alert')
    expect(alert).toHaveTextContent('alleen een kopregel en geen leerlingen')
    expect(alert).toHaveTextContent('Magister of Somtoday')
    expect(alert).not.toHaveTextContent('Wat kunt u doen?')
    expect(alert).not.toHaveTextContent('Zorg dat de eerste regel de kolomnamen bevat')
  })

  it('names the line of a refused file once (Dutch)', () => {
    renderWithProviders(<FileRefusal rejected={quoteOnLine9} />)
    const text = screen.getByRole('alert').textContent ?? ''
    expect(count(text, /regel 9\b/gi)).toBe(1)
    expect(text).toContain('Het probleem zit in regel 9.')
  })

  it('names the line of a refused file once (English)', () => {
    renderWithProviders(<FileRefusal rejected={quoteOnLine9} />, { lang: 'en' })
    const text = screen.getByRole('alert').textContent ?? ''
    expect(count(text, /line 9\b/gi)).toBe(1)
    expect(text).toContain('The problem is on line 9.')
  })

  it('gives the header-only advice in English', () => {
    renderWithProviders(<FileRefusal rejected={headerOnly} />, { lang: 'en' })
    const alert = screen.getByRole('alert')
    expect(alert).toHaveTextContent('only has a header row and no pupils')
    expect(alert).not.toHaveTextContent('What can you do?')
  })

  it('keeps the generic tips for a refusal they fit', () => {
    renderWithProviders(<FileRefusal rejected={{ ...headerOnly, reason: 'no_header', line: undefined, message: 'Er is geen kopregel met kolomnamen gevonden.' }} />)
    expect(screen.getByRole('alert')).toHaveTextContent('Wat kunt u doen?')
  })
})
