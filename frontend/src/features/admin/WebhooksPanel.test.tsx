import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { CombinedError, type Client } from 'urql'
import { describe, expect, it, vi } from 'vitest'
import { fromValue, never } from 'wonka'
import type { WebhookRowFragment } from '../../gql/graphql'
import { renderWithProviders } from '../../test/render'
import { WebhooksPanel } from './WebhooksPanel'

const url = 'https://lms.example.nl/numo'

function hook(over: Partial<WebhookRowFragment> = {}): WebhookRowFragment {
  return {
    __typename: 'WebhookEndpoint',
    id: 'wh1',
    url,
    state: 'ACTIVE',
    cursor: 15,
    failures: 0,
    nextAttemptAt: '2026-12-07T10:00:00Z',
    lastSuccessAt: '2026-12-07T09:59:00Z',
    lastError: '',
    createdAt: '2026-12-01T08:00:00Z',
    deliveries: { totalCount: 3, items: [{ id: 'd3', at: '2026-12-07T09:59:00Z', result: 'OK', statusCode: 200 }] },
    ...over,
  } as WebhookRowFragment
}

const deliveries = [
  { id: 'd3', at: '2026-12-07T09:59:00Z', fromPosition: 12, toPosition: 15, changes: 4, attempt: 2, result: 'OK', statusCode: 200, error: '', durationMs: 41, test: false },
  { id: 'd2', at: '2026-12-07T09:58:00Z', fromPosition: 12, toPosition: 15, changes: 4, attempt: 1, result: 'HTTP_ERROR', statusCode: 503, error: 'HTTP 503', durationMs: 12, test: false },
  { id: 'd1', at: '2026-12-07T09:50:00Z', fromPosition: 0, toPosition: 0, changes: 0, attempt: 1, result: 'TIMEOUT', statusCode: 0, error: 'context deadline exceeded', durationMs: 10000, test: true },
]

type Op = { query: { definitions: { name?: { value: string } }[] }; variables: Record<string, unknown> }
const opName = (op: Op) => op.query.definitions[0]?.name?.value

/** A client answering the panel's queries from hooks, and its mutations with answer(op). */
function client(hooks: WebhookRowFragment[], answer: (op: Op) => { data?: unknown; error?: CombinedError } = () => ({})) {
  const query = vi.fn((op: Op) => {
    const token = { __typename: 'ApiToken', id: 't1' }
    if (opName(op) === 'WebhookDeliveries') {
      const page = op.variables.before ? [] : deliveries
      return fromValue({
        operation: op,
        data: { node: { ...token, webhooks: [{ id: 'wh1', deliveries: { totalCount: 21, hasMore: !op.variables.before, items: page } }] } },
        stale: false,
        hasNext: false,
      })
    }
    return fromValue({ operation: op, data: { node: { ...token, webhooks: hooks } }, stale: false, hasNext: false })
  })
  const mutation = vi.fn((op: Op) => fromValue({ operation: op, ...answer(op), stale: false, hasNext: false }))
  const c = { executeQuery: query, executeMutation: mutation, executeSubscription: () => never } as unknown as Client
  return { client: c, query, mutation }
}

describe('Beheer → API-sleutels → Webhooks', () => {
  it('shows the secret of a new webhook once, with how to check signatures', async () => {
    const user = userEvent.setup()
    const { client: c, mutation } = client([], () => ({
      data: { createWebhook: { secret: 'whsec_geheim123', webhook: hook() } },
    }))
    renderWithProviders(<WebhooksPanel tokenId="t1" tokenName="Leerplatform" />, { client: c })
    expect(await screen.findByText('Deze sleutel heeft nog geen webhooks.')).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Webhook toevoegen' }))
    expect(screen.getByText('Vul het adres in.')).toBeInTheDocument()
    expect(mutation).not.toHaveBeenCalled()
    await user.type(screen.getByLabelText(/Adres \(URL\)/), `  ${url} `)
    await user.click(screen.getByRole('button', { name: 'Webhook toevoegen' }))
    expect(mutation.mock.calls[0][0].variables).toEqual({ tokenId: 't1', url })
    expect(screen.getByTestId('secret-value')).toHaveTextContent('whsec_geheim123')
    expect(screen.getByText(/Numo-Signature: t=…,v1=…/)).toHaveTextContent('docs/integrators.md')
    await user.click(screen.getByRole('button', { name: /Ik heb het bewaard/ }))
    expect(screen.queryByTestId('secret-value')).not.toBeInTheDocument()
    expect(screen.queryByText(/whsec_geheim123/)).not.toBeInTheDocument()
  })

  it('shows the server’s refusal of the address under the field', async () => {
    const user = userEvent.setup()
    const refused = new CombinedError({
      graphQLErrors: [
        {
          message: 'Het adres moet met https:// beginnen.',
          extensions: { code: 'INVALID_INPUT', messageEn: 'The address must start with https://.' },
        },
      ],
    })
    const { client: c } = client([], () => ({ error: refused }))
    renderWithProviders(<WebhooksPanel tokenId="t1" tokenName="Leerplatform" />, { client: c })
    await user.type(await screen.findByLabelText(/Adres \(URL\)/), 'http://lms.example.nl')
    await user.click(screen.getByRole('button', { name: 'Webhook toevoegen' }))
    expect(screen.getByLabelText(/Adres \(URL\)/)).toHaveAccessibleDescription(/Het adres moet met https:\/\/ beginnen\./)
    expect(screen.queryByTestId('secret-value')).not.toBeInTheDocument()
  })

  it('lists state, last delivery and cursor, and pauses and resumes', async () => {
    const user = userEvent.setup()
    const { client: c, mutation } = client([hook(), hook({ id: 'wh2', url: 'https://b.example.nl/h', state: 'FAILING', failures: 12 })], (op) => ({
      data: { updateWebhook: hook({ id: String(op.variables.id) }) },
    }))
    renderWithProviders(<WebhooksPanel tokenId="t1" tokenName="Leerplatform" />, { client: c })
    const first = await screen.findByRole('article', { name: url })
    const second = screen.getByRole('article', { name: 'https://b.example.nl/h' })
    expect(within(first).getByText('actief')).toBeInTheDocument()
    expect(within(first).getByText('gelukt (HTTP 200)')).toBeInTheDocument()
    expect(within(first).getByLabelText('Bevestigd tot positie 15')).toBeInTheDocument()
    expect(within(second).getByText('gestopt na fouten')).toBeInTheDocument()
    expect(within(second).getByText('12 mislukte pogingen op rij')).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: `Webhook ${url} pauzeren` }))
    expect(mutation.mock.calls[0][0].variables).toEqual({ id: 'wh1', input: { paused: true } })
    await user.click(screen.getByRole('button', { name: 'Webhook https://b.example.nl/h hervatten' }))
    expect(mutation.mock.calls[1][0].variables).toEqual({ id: 'wh2', input: { paused: false } })
  })

  it('shows the delivery log and pages to older attempts', async () => {
    const user = userEvent.setup()
    const { client: c, query } = client([hook()])
    renderWithProviders(<WebhooksPanel tokenId="t1" tokenName="Leerplatform" />, { client: c })
    await user.click(await screen.findByRole('button', { name: `Bezorglog van ${url}` }))
    const log = await screen.findByRole('table', { name: `Bezorglog van ${url}` })
    expect(screen.getByText('21 pogingen in de laatste 30 dagen')).toBeInTheDocument()
    const rows = within(log).getAllByRole('row')
    expect(rows).toHaveLength(4)
    expect(within(rows[1]).getByText('12–15')).toBeInTheDocument()
    expect(within(rows[1]).getByText('4 wijzigingen')).toBeInTheDocument()
    expect(within(rows[1]).getByText('41 ms')).toBeInTheDocument()
    expect(within(rows[2]).getByText('HTTP 503')).toBeInTheDocument()
    expect(within(rows[3]).getByText('testbericht')).toBeInTheDocument()
    expect(within(rows[3]).getByText('geen antwoord binnen 10 s')).toBeInTheDocument()
    expect(within(rows[3]).getByText('context deadline exceeded')).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Oudere' }))
    const older = query.mock.calls.map((call) => call[0]).filter((op) => opName(op) === 'WebhookDeliveries' && op.variables.before)
    expect(older[0].variables).toEqual({ tokenId: 't1', before: 'd1' })
    expect(await screen.findByText('Nog geen bezorgpogingen.')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Nieuwere' })).toBeEnabled()
  })

  it('sends a test message and asks before deleting', async () => {
    const user = userEvent.setup()
    const { client: c, mutation } = client([hook()], (op) =>
      opName(op) === 'SendTestWebhook'
        ? { data: { sendTestWebhook: { id: 'd9', result: 'OK', statusCode: 204, error: '', durationMs: 8 } } }
        : { data: { deleteWebhook: 'wh1' } },
    )
    renderWithProviders(<WebhooksPanel tokenId="t1" tokenName="Leerplatform" />, { client: c })
    await user.click(await screen.findByRole('button', { name: `Testbericht sturen naar ${url}` }))
    expect(opName(mutation.mock.calls[0][0])).toBe('SendTestWebhook')
    await user.click(screen.getByRole('button', { name: `Webhook ${url} verwijderen` }))
    expect(mutation).toHaveBeenCalledTimes(1)
    await user.click(await screen.findByRole('button', { name: 'Webhook verwijderen' }))
    expect(mutation.mock.calls[1][0].variables).toEqual({ id: 'wh1' })
  })

  it('reads in English', async () => {
    const { client: c } = client([hook({ state: 'PAUSED' })])
    renderWithProviders(<WebhooksPanel tokenId="t1" tokenName="LMS" revoked />, { client: c, lang: 'en' })
    expect(await screen.findByText('Webhooks of “LMS”')).toBeInTheDocument()
    expect(screen.getByText('paused')).toBeInTheDocument()
    expect(screen.getByText(/its webhooks are no longer delivered/)).toBeInTheDocument()
    expect(screen.getByRole('button', { name: `Resume webhook ${url}` })).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Add webhook' })).not.toBeInTheDocument()
  })
})
