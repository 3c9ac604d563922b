import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { CombinedError, type Client, type Operation } from 'urql'
import { describe, expect, it, vi } from 'vitest'
import { fromValue } from 'wonka'
import { renderWithProviders } from '../../test/render'
import { MappingStep, type MappingJob } from './MappingStep'

const fields = [
  { name: 'key', label: 'Stamnummer', labelEn: 'Pupil number', required: true },
  { name: 'firstName', label: 'Roepnaam', labelEn: 'First name', required: true },
  { name: 'infix', label: 'Tussenvoegsel', labelEn: 'Infix', required: false },
  { name: 'lastName', label: 'Achternaam', labelEn: 'Last name', required: true },
  { name: 'class', label: 'Klas', labelEn: 'Class', required: true },
]

function job(overrides: Partial<Record<string, string | null>> = {}): MappingJob {
  const columns = [
    { header: 'Stamnr', field: 'key', samples: ['10234', '10235', '10236'] },
    { header: 'Roepnaam', field: 'firstName', samples: ['Anouk', 'Daan'] },
    { header: 'Tussenv', field: 'infix', samples: ['van der', 'de'] },
    { header: 'Achternaam', field: 'lastName', samples: ['Bakker', 'Jansen'] },
    { header: 'Klas', field: 'class', samples: ['1A', '1B'] },
  ].map((c, index) => ({
    index,
    header: c.header,
    samples: c.samples,
    field: c.header in overrides ? (overrides[c.header] ?? null) : c.field,
    confidence: 1,
  }))
  return { id: 'job1', columns, fields, levels: ['vmbo-bb', 'havo', 'vwo'], levelValues: [], mappingProblems: [] }
}

const next = () => screen.getByRole('button', { name: 'Verder' })

describe('MappingStep', () => {
  it('lets a complete automatic mapping through and marks its confidence', () => {
    renderWithProviders(<MappingStep job={job()} onBack={vi.fn()} onDone={vi.fn()} />)
    expect(next()).toBeEnabled()
    expect(screen.getAllByText('automatisch 100 %')).toHaveLength(5)
    expect(screen.queryByText('U kunt nog niet verder')).not.toBeInTheDocument()
  })

  it('blocks "Verder" and says which required field is unmatched', () => {
    renderWithProviders(<MappingStep job={job({ Achternaam: null })} onBack={vi.fn()} onDone={vi.fn()} />)
    expect(next()).toBeDisabled()
    const reason = screen.getByText('Het verplichte veld “Achternaam” is aan geen enkele kolom gekoppeld.')
    expect(reason).toBeVisible()
    // The disabled button points at the reason, for screen readers.
    expect(next()).toHaveAttribute('aria-describedby', 'mapping-problems')
    expect(document.getElementById('mapping-problems')).toContainElement(reason)
  })

  it('blocks "Verder" on a double match and names both columns', () => {
    renderWithProviders(<MappingStep job={job({ Tussenv: 'lastName' })} onBack={vi.fn()} onDone={vi.fn()} />)
    expect(next()).toBeDisabled()
    expect(
      screen.getByText('Het veld “Achternaam” is aan meer dan één kolom gekoppeld (Tussenv, Achternaam). Koppel het aan één kolom.'),
    ).toBeVisible()
  })

  it('unblocks once the admin fixes the mapping with the dropdown', async () => {
    const user = userEvent.setup()
    renderWithProviders(<MappingStep job={job({ Achternaam: null })} onBack={vi.fn()} onDone={vi.fn()} />)
    expect(next()).toBeDisabled()
    await user.click(screen.getByRole('combobox', { name: 'Veld voor kolom Achternaam' }))
    const listbox = await screen.findByRole('listbox')
    await user.click(within(listbox).getByRole('option', { name: 'Achternaam *' }))
    expect(next()).toBeEnabled()
    expect(screen.getByText('handmatig gekozen')).toBeVisible()
  })

  it('speaks English when switched', () => {
    renderWithProviders(<MappingStep job={job({ Klas: null })} onBack={vi.fn()} onDone={vi.fn()} />, { lang: 'en' })
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled()
    expect(screen.getByText('The required field “Class” is not matched to any column.')).toBeVisible()
  })

  describe('unknown level values', () => {
    const unknown = [
      { value: 'technasium', count: 3, level: null, decided: false },
      { value: 'ISK', count: 2, level: null, decided: false },
    ]
    const withLevels = (levelValues: MappingJob['levelValues']): MappingJob => ({ ...job(), levelValues })

    /** A urql client that answers setMapping with answer and records the variables. */
    function mappingClient(answer: (op: Operation) => object) {
      const sent: Record<string, unknown>[] = []
      const client = {
        executeMutation: (op: Operation) => {
          sent.push(op.variables as Record<string, unknown>)
          return fromValue({ operation: op, ...answer(op) })
        },
      } as unknown as Client
      return { client, sent }
    }

    it('blocks "Verder" until each value is mapped or marked "Geen niveau", and sends both', async () => {
      const user = userEvent.setup()
      const onDone = vi.fn()
      const { client, sent } = mappingClient(() => ({ data: { setMapping: { id: 'job1', status: 'MAPPED', columns: [], mappingProblems: [] } } }))
      renderWithProviders(<MappingStep job={withLevels(unknown)} onBack={vi.fn()} onDone={onDone} />, { client })
      expect(next()).toBeDisabled()
      const table = screen.getByRole('table', { name: 'Onbekende opleidingsniveaus' })
      expect(within(table).getByText('technasium').closest('tr')).toHaveTextContent('3')
      expect(within(table).getByText('ISK').closest('tr')).toHaveTextContent('2')
      const reason = screen.getByText(/Nog te kiezen: “technasium” \(3\), “ISK” \(2\)\./)
      expect(next()).toHaveAttribute('aria-describedby', 'mapping-problems')
      expect(document.getElementById('mapping-problems')).toContainElement(reason)

      await user.click(screen.getByRole('combobox', { name: 'Niveau voor waarde technasium' }))
      await user.click(within(await screen.findByRole('listbox')).getByRole('option', { name: 'vwo' }))
      expect(next()).toBeDisabled()
      expect(screen.getByText(/Nog te kiezen: “ISK” \(2\)\./)).toBeVisible()

      await user.click(screen.getByRole('combobox', { name: 'Niveau voor waarde ISK' }))
      await user.click(within(await screen.findByRole('listbox')).getByRole('option', { name: 'Geen niveau' }))
      expect(next()).toBeEnabled()
      expect(screen.queryByText('U kunt nog niet verder')).not.toBeInTheDocument()
      await user.click(next())
      expect(sent[0].levels).toEqual([
        { value: 'technasium', level: 'vwo' },
        { value: 'ISK', level: null },
      ])
      expect(onDone).toHaveBeenCalled()
    })

    it('does not block values the school decided before, "Geen niveau" included', () => {
      renderWithProviders(
        <MappingStep
          job={withLevels([
            { value: 'technasium', count: 3, level: 'vwo', decided: true },
            { value: 'ISK', count: 2, level: null, decided: true },
          ])}
          onBack={vi.fn()}
          onDone={vi.fn()}
        />,
      )
      expect(next()).toBeEnabled()
      expect(screen.getByRole('combobox', { name: 'Niveau voor waarde ISK' })).toHaveValue('Geen niveau')
      expect(screen.getByRole('combobox', { name: 'Niveau voor waarde technasium' })).toHaveValue('vwo')
    })

    it('lists the values the server names after a column change, and blocks until they are decided', async () => {
      const user = userEvent.setup()
      const error = new CombinedError({
        graphQLErrors: [
          {
            message: 'Numo kent 1 niveauwaarde uit het bestand niet: "lyceum" (4 leerlingen).',
            extensions: {
              code: 'MAPPING_INVALID',
              unknownLevels: [{ value: 'lyceum', count: 4 }],
              problems: [{ code: 'unknown_level', message: 'Numo kent 1 niveauwaarde uit het bestand niet' }],
            },
          },
        ],
      })
      const { client } = mappingClient(() => ({ error }))
      renderWithProviders(<MappingStep job={job()} onBack={vi.fn()} onDone={vi.fn()} />, { client })
      await user.click(next())
      expect(await screen.findByRole('combobox', { name: 'Niveau voor waarde lyceum' })).toBeVisible()
      expect(next()).toBeDisabled()
      expect(screen.getByText(/Nog te kiezen: “lyceum” \(4\)\./)).toBeVisible()
      // The server's own sentence is not repeated as a second alert.
      expect(screen.queryByText('Numo kan deze koppeling nog niet gebruiken')).not.toBeInTheDocument()
    })

    it('lets "all other values: no level" decide the values left open, and sends it', async () => {
      const user = userEvent.setup()
      const { client, sent } = mappingClient(() => ({ data: { setMapping: { id: 'job1', status: 'MAPPED', columns: [], mappingProblems: [] } } }))
      renderWithProviders(<MappingStep job={withLevels(unknown)} onBack={vi.fn()} onDone={vi.fn()} />, { client })
      expect(screen.queryByTestId('levels-more')).not.toBeInTheDocument()
      await user.click(screen.getByRole('combobox', { name: 'Niveau voor waarde technasium' }))
      await user.click(within(await screen.findByRole('listbox')).getByRole('option', { name: 'vwo' }))
      expect(next()).toBeDisabled()
      await user.click(screen.getByRole('checkbox', { name: 'Alle andere waarden: geen niveau' }))
      expect(next()).toBeEnabled()
      expect(screen.queryByText('U kunt nog niet verder')).not.toBeInTheDocument()
      await user.click(next())
      expect(sent[0].levels).toEqual([{ value: 'technasium', level: 'vwo' }])
      expect(sent[0].otherLevels).toBe('NO_LEVEL')
    })

    it('says when the file holds more unknown values than listed, and offers the way out', async () => {
      const user = userEvent.setup()
      const many: MappingJob = { ...withLevels(unknown), unknownLevelsTotal: 260 }
      renderWithProviders(<MappingStep job={many} onBack={vi.fn()} onDone={vi.fn()} />)
      expect(screen.getByTestId('levels-more')).toHaveTextContent(
        'Het bestand heeft 260 verschillende niveauwaarden die Numo niet kent; hier staan de 2 die het vaakst voorkomen.',
      )
      expect(screen.getByTestId('levels-more')).toHaveTextContent('misschien niet het niveau')
      // Deciding every listed value is not enough: the values not listed are still open.
      for (const v of ['technasium', 'ISK']) {
        await user.click(screen.getByRole('combobox', { name: `Niveau voor waarde ${v}` }))
        await user.click(within(await screen.findByRole('listbox')).getByRole('option', { name: 'havo' }))
      }
      expect(next()).toBeDisabled()
      expect(document.getElementById('mapping-problems')).toHaveTextContent('Nog 258 onbekende niveauwaarden staan niet in de lijst')
      await user.click(screen.getByRole('checkbox', { name: 'Alle andere waarden: geen niveau' }))
      expect(next()).toBeEnabled()
    })

    it('keeps the choice the job has, and speaks English', () => {
      const chosen: MappingJob = { ...withLevels(unknown), unknownLevelsTotal: 260, otherLevels: 'NO_LEVEL' }
      renderWithProviders(<MappingStep job={chosen} onBack={vi.fn()} onDone={vi.fn()} />, { lang: 'en' })
      expect(screen.getByRole('checkbox', { name: 'All other values: no level' })).toBeChecked()
      expect(screen.getByRole('button', { name: 'Next' })).toBeEnabled()
      expect(screen.getByTestId('levels-more')).toHaveTextContent('this column may not be a level column')
    })

    it('says it in English', () => {
      renderWithProviders(<MappingStep job={withLevels(unknown)} onBack={vi.fn()} onDone={vi.fn()} />, { lang: 'en' })
      expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled()
      expect(screen.getByText(/Still to choose: “technasium” \(3\), “ISK” \(2\)\./)).toBeVisible()
    })
  })
})
