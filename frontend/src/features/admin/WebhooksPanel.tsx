import { Alert, Badge, Button, Group, Modal, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { IconPlayerPause, IconPlayerPlay, IconPlus, IconSend, IconTrash, IconWebhook } from '@tabler/icons-react'
import { useState, type FormEvent } from 'react'
import { useMutation, useQuery } from 'urql'
import { apiErrors } from '../../api/errors'
import { ErrorAlert } from '../../components/ErrorAlert'
import { Loading } from '../../components/Loading'
import { SecretBox, SecretDoneButton } from '../../components/SecretBox'
import type { WebhookOutcome, WebhookRowFragment } from '../../gql/graphql'
import { useI18n } from '../../i18n'
import {
  CreateWebhookMutation,
  DeleteWebhookMutation,
  SendTestWebhookMutation,
  TokenWebhooksQuery,
  UpdateWebhookMutation,
  WebhookDeliveriesQuery,
} from './webhookDocuments'


const stateColor = { ACTIVE: 'teal', PAUSED: 'gray', FAILING: 'red' } as const

function useDates() {
  const { lang } = useI18n()
  const locale = lang === 'nl' ? 'nl-NL' : 'en-GB'
  return {
    date: new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }),
    time: new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'medium' }),
  }
}

function useOutcome() {
  const { t } = useI18n()
  return (result: WebhookOutcome, status: number) => t(`webhooks.outcome.${result}`, { status })
}

/**
 * Beheer → API-sleutels → Webhooks of one token: its webhooks with state, last delivery and
 * cursor; add one (the secret shown once), pause/resume, send a test message, delete, and the
 * delivery log.
 */
export function WebhooksPanel({
  tokenId,
  tokenName,
  revoked = false,
  onClose,
}: {
  tokenId: string
  tokenName: string
  revoked?: boolean
  onClose?: () => void
}) {
  const { t } = useI18n()
  const [{ data, fetching, error }, refetch] = useQuery({
    query: TokenWebhooksQuery,
    variables: { tokenId },
    requestPolicy: 'cache-and-network',
  })
  const [logOf, setLogOf] = useState<WebhookRowFragment | null>(null)
  const [deleting, setDeleting] = useState<WebhookRowFragment | null>(null)
  // The secret of the webhook just created: shown here once, until the admin closes it.
  const [created, setCreated] = useState<Created | null>(null)
  const token = data?.node?.__typename === 'ApiToken' ? data.node : null
  const rows = token?.webhooks ?? []
  const reload = () => refetch({ requestPolicy: 'network-only' })
  const headingId = `webhooks-${tokenId}`

  return (
    <section aria-labelledby={headingId}>
      <Stack gap="md">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <IconWebhook size={20} aria-hidden />
            <Title order={3} size="h4" id={headingId}>
              {t('webhooks.title', { name: tokenName })}
            </Title>
          </Group>
          {onClose && (
            <Button size="xs" variant="default" onClick={onClose}>
              {t('webhooks.close')}
            </Button>
          )}
        </Group>
        <Text size="sm" c="dimmed" maw={720}>
          {t('webhooks.intro')}
        </Text>
        {revoked && <Alert color="gray">{t('webhooks.revokedNote')}</Alert>}
        {error && <ErrorAlert error={error} onRetry={reload} />}
        {!token && fetching && <Loading />}
        {token && rows.length === 0 && <Text size="sm">{t('webhooks.none')}</Text>}
        {rows.length > 0 && (
          <WebhookTable
            rows={rows}
            onLog={(w) => setLogOf(logOf?.id === w.id ? null : w)}
            logOf={logOf?.id}
            onDelete={setDeleting}
            onChanged={reload}
          />
        )}
        {logOf && rows.some((r) => r.id === logOf.id) && (
          <DeliveryLog key={logOf.id} tokenId={tokenId} webhook={logOf} onClose={() => setLogOf(null)} />
        )}
        {created ? (
          <WebhookSecretBox
            created={created}
            onDone={() => {
              setCreated(null)
              reload()
            }}
          />
        ) : (
          !revoked && rows.length < 5 && <AddWebhook tokenId={tokenId} onCreated={setCreated} />
        )}
      </Stack>
      <DeleteWebhookModal
        webhook={deleting}
        onClose={() => setDeleting(null)}
        onDeleted={() => {
          if (logOf?.id === deleting?.id) setLogOf(null)
          reload()
        }}
      />
    </section>
  )
}

/** The webhooks as cards (a table's five columns and four buttons do not fit a tablet). */
function WebhookTable({
  rows,
  logOf,
  onLog,
  onDelete,
  onChanged,
}: {
  rows: WebhookRowFragment[]
  logOf?: string
  onLog: (w: WebhookRowFragment) => void
  onDelete: (w: WebhookRowFragment) => void
  onChanged: () => void
}) {
  return (
    <Stack gap="sm">
      {rows.map((w) => (
        <WebhookRow key={w.id} w={w} logOpen={logOf === w.id} onLog={onLog} onDelete={onDelete} onChanged={onChanged} />
      ))}
    </Stack>
  )
}

function WebhookRow({
  w,
  logOpen,
  onLog,
  onDelete,
  onChanged,
}: {
  w: WebhookRowFragment
  logOpen: boolean
  onLog: (w: WebhookRowFragment) => void
  onDelete: (w: WebhookRowFragment) => void
  onChanged: () => void
}) {
  const { t, plural } = useI18n()
  const { date } = useDates()
  const outcome = useOutcome()
  const [{ fetching: updating, error: updateError }, update] = useMutation(UpdateWebhookMutation)
  const [{ fetching: testing, error: testError }, sendTest] = useMutation(SendTestWebhookMutation)
  const last = w.deliveries.items[0]
  const paused = w.state !== 'ACTIVE'

  async function togglePause() {
    const res = await update({ id: w.id, input: { paused: !paused } })
    if (res.data?.updateWebhook) {
      notifications.show({ color: 'teal', message: t(paused ? 'webhooks.resumed' : 'webhooks.paused') })
      onChanged()
    }
  }

  async function test() {
    const res = await sendTest({ id: w.id })
    const d = res.data?.sendTestWebhook
    if (!d) return
    if (d.result === 'OK') notifications.show({ color: 'teal', message: t('webhooks.test.ok', { status: d.statusCode, ms: d.durationMs }) })
    else notifications.show({ color: 'red', message: t('webhooks.test.failed', { outcome: outcome(d.result, d.statusCode) }) })
    onChanged()
  }

  return (
    <Paper component="article" withBorder radius="sm" p="sm" aria-label={w.url}>
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Text size="sm" ff="monospace" fw={600} style={{ wordBreak: 'break-all' }}>
            {w.url}
          </Text>
          <Badge color={stateColor[w.state]} variant="light" tt="none" style={{ flexShrink: 0 }}>
            {t(`webhooks.state.${w.state}`)}
          </Badge>
        </Group>
        {w.failures > 0 && (
          <Text size="xs" c="red.8">
            {plural('webhooks.failures', w.failures)}
            {w.state === 'ACTIVE' && ` · ${t('webhooks.nextAttempt', { date: date.format(new Date(w.nextAttemptAt)) })}`}
          </Text>
        )}
        <Group gap="xl" align="flex-start">
          <div>
            <Text size="xs" c="dimmed">
              {t('webhooks.col.last')}
            </Text>
            {last ? (
              <Text size="sm">
                {date.format(new Date(last.at))} ·{' '}
                <Text span size="sm" c={last.result === 'OK' ? 'teal.8' : 'red.8'}>
                  {outcome(last.result, last.statusCode)}
                </Text>
              </Text>
            ) : (
              <Text size="sm">{t('webhooks.never')}</Text>
            )}
            {w.lastSuccessAt && last?.result !== 'OK' && (
              <Text size="xs" c="dimmed">
                {t('webhooks.lastSuccess', { date: date.format(new Date(w.lastSuccessAt)) })}
              </Text>
            )}
          </div>
          <div>
            <Text size="xs" c="dimmed">
              {t('webhooks.col.cursor')}
            </Text>
            <Text size="sm" ff="monospace" aria-label={t('webhooks.cursor.aria', { n: w.cursor })}>
              {w.cursor}
            </Text>
          </div>
        </Group>
        <Group gap={4} wrap="wrap">
          <Button
            size="xs"
            variant="light"
            leftSection={<IconSend size={14} aria-hidden />}
            loading={testing}
            onClick={test}
            aria-label={t('webhooks.test.aria', { url: w.url })}
          >
            {t('webhooks.test')}
          </Button>
          <Button
            size="xs"
            variant="subtle"
            leftSection={paused ? <IconPlayerPlay size={14} aria-hidden /> : <IconPlayerPause size={14} aria-hidden />}
            loading={updating}
            onClick={togglePause}
            aria-label={t(paused ? 'webhooks.resume.aria' : 'webhooks.pause.aria', { url: w.url })}
          >
            {t(paused ? 'webhooks.resume' : 'webhooks.pause')}
          </Button>
          <Button
            size="xs"
            variant={logOpen ? 'filled' : 'subtle'}
            onClick={() => onLog(w)}
            aria-expanded={logOpen}
            aria-label={t('webhooks.log.aria', { url: w.url })}
          >
            {t('webhooks.log')}
          </Button>
          <Button
            size="xs"
            variant="subtle"
            color="red"
            leftSection={<IconTrash size={14} aria-hidden />}
            onClick={() => onDelete(w)}
            aria-label={t('webhooks.delete.aria', { url: w.url })}
          >
            {t('webhooks.delete')}
          </Button>
        </Group>
        {(updateError || testError) && (
          <ErrorAlert error={updateError ?? testError} title={t(updateError ? 'webhooks.updateFailed' : 'webhooks.testFailed')} />
        )}
      </Stack>
    </Paper>
  )
}

/** The delivery log of one webhook, newest first, a page at a time (before = the previous page's last id). */
function DeliveryLog({
  tokenId,
  webhook,
  onClose,
}: {
  tokenId: string
  webhook: WebhookRowFragment
  onClose: () => void
}) {
  const { t, plural } = useI18n()
  const { time } = useDates()
  const outcome = useOutcome()
  // The before cursors of the pages seen: the last one is the page shown.
  const [cursors, setCursors] = useState<(string | null)[]>([null])
  const before = cursors[cursors.length - 1]
  const [{ data, fetching, error }, refetch] = useQuery({
    query: WebhookDeliveriesQuery,
    variables: { tokenId, before },
    requestPolicy: 'cache-and-network',
  })
  const token = data?.node?.__typename === 'ApiToken' ? data.node : null
  const page = token?.webhooks.find((w) => w.id === webhook.id)?.deliveries
  const items = page?.items ?? []
  const titleId = `webhook-log-${webhook.id}`

  return (
    <section aria-labelledby={titleId}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <div>
            <Title order={4} size="h5" id={titleId} style={{ wordBreak: 'break-all' }}>
              {t('webhooks.log.title', { url: webhook.url })}
            </Title>
            {page && (
              <Text size="xs" c="dimmed">
                {plural('webhooks.log.count', page.totalCount)}
              </Text>
            )}
          </div>
          <Group gap="xs">
            <Button size="xs" variant="default" loading={fetching} onClick={() => refetch({ requestPolicy: 'network-only' })}>
              {t('webhooks.log.refresh')}
            </Button>
            <Button size="xs" variant="default" onClick={onClose}>
              {t('webhooks.log.hide')}
            </Button>
          </Group>
        </Group>
        {error && <ErrorAlert error={error} />}
        {!page && fetching && <Loading />}
        {page && items.length === 0 && <Text size="sm">{t('webhooks.log.empty')}</Text>}
        {items.length > 0 && (
          <Table.ScrollContainer minWidth={820}>
            <Table verticalSpacing={6} fz="sm" striped aria-labelledby={titleId}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('webhooks.log.col.at')}</Table.Th>
                  <Table.Th scope="col">{t('webhooks.log.col.positions')}</Table.Th>
                  <Table.Th scope="col">{t('webhooks.log.col.attempt')}</Table.Th>
                  <Table.Th scope="col">{t('webhooks.log.col.outcome')}</Table.Th>
                  <Table.Th scope="col" ta="right">
                    {t('webhooks.log.col.duration')}
                  </Table.Th>
                  <Table.Th scope="col">{t('webhooks.log.col.error')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((d) => (
                  <Table.Tr key={d.id}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{time.format(new Date(d.at))}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      {d.test ? (
                        <Badge variant="outline" color="gray" tt="none">
                          {t('webhooks.log.test')}
                        </Badge>
                      ) : (
                        <>
                          <Text span size="sm" ff="monospace">
                            {t('webhooks.log.range', { from: d.fromPosition, to: d.toPosition })}
                          </Text>
                          <Text size="xs" c="dimmed">
                            {plural('webhooks.log.changes', d.changes)}
                          </Text>
                        </>
                      )}
                    </Table.Td>
                    <Table.Td>{d.attempt}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <Badge color={d.result === 'OK' ? 'teal' : 'red'} variant="light" tt="none">
                        {outcome(d.result, d.statusCode)}
                      </Badge>
                    </Table.Td>
                    <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                      {t('webhooks.log.ms', { ms: d.durationMs })}
                    </Table.Td>
                    <Table.Td style={{ wordBreak: 'break-word' }} maw={280}>
                      {/* The server's error often just repeats the outcome ("HTTP 503"). */}
                      {d.error !== outcome(d.result, d.statusCode) && (
                        <Text size="xs" c="red.8">
                          {d.error}
                        </Text>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {(cursors.length > 1 || page?.hasMore) && (
          <Group justify="flex-end" gap="xs">
            <Button size="xs" variant="default" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
              {t('webhooks.log.newer')}
            </Button>
            <Button
              size="xs"
              variant="default"
              disabled={!page?.hasMore || items.length === 0}
              onClick={() => setCursors((c) => [...c, items[items.length - 1].id])}
            >
              {t('webhooks.log.older')}
            </Button>
          </Group>
        )}
      </Stack>
    </section>
  )
}

/** A new webhook's secret, shown once, with how the receiver checks the signature. */
function WebhookSecretBox({ created, onDone }: { created: Created; onDone: () => void }) {
  const { t } = useI18n()
  return (
    <Stack gap="sm">
      <SecretBox label={t('webhooks.secret.label', { url: created.url })} value={created.secret} warning={t('webhooks.secret.warning')} />
      <Text size="sm" c="dimmed">
        {t('webhooks.secret.use')}
      </Text>
      <Group>
        <SecretDoneButton onClick={onDone}>{t('secret.done')}</SecretDoneButton>
      </Group>
    </Stack>
  )
}

interface Created {
  url: string
  secret: string
}

/** The add form; the panel shows the secret of what it created. */
function AddWebhook({ tokenId, onCreated }: { tokenId: string; onCreated: (c: Created) => void }) {
  const { t, pick } = useI18n()
  const [url, setUrl] = useState('')
  const [checked, setChecked] = useState(false)
  const [{ fetching, error }, create] = useMutation(CreateWebhookMutation)

  const trimmed = url.trim()
  const problem = trimmed === '' ? t('webhooks.url.missing') : trimmed.length > 2048 ? t('webhooks.url.long') : undefined
  // The server's refusal of the address (INVALID_INPUT) belongs under the field; other errors above the buttons.
  const errors = apiErrors(error)
  const urlError = errors.find((e) => e.code === 'INVALID_INPUT')
  const otherError = error && !urlError ? error : null

  async function submit(e: FormEvent) {
    e.preventDefault()
    setChecked(true)
    if (problem) return
    const res = await create({ tokenId, url: trimmed })
    const out = res.data?.createWebhook
    if (out) {
      onCreated({ url: out.webhook.url, secret: out.secret })
      notifications.show({ color: 'teal', message: t('webhooks.created', { url: out.webhook.url }) })
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-label={t('webhooks.add')}>
      <Stack gap="xs">
        <Group align="flex-start" gap="sm" wrap="wrap">
          <TextInput
            style={{ flex: '1 1 320px' }}
            label={t('webhooks.url')}
            description={t('webhooks.url.description')}
            placeholder={t('webhooks.url.placeholder')}
            type="url"
            required
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
            error={(checked && problem) || (urlError && pick(urlError.message, urlError.messageEn))}
            maxLength={2100}
          />
          <Button type="submit" mt={{ base: 0, sm: 44 }} loading={fetching} leftSection={<IconPlus size={16} aria-hidden />}>
            {t('webhooks.add')}
          </Button>
        </Group>
        {otherError && <ErrorAlert error={otherError} title={t('webhooks.createFailed')} />}
      </Stack>
    </form>
  )
}

function DeleteWebhookModal({
  webhook,
  onClose,
  onDeleted,
}: {
  webhook: WebhookRowFragment | null
  onClose: () => void
  onDeleted: () => void
}) {
  const { t } = useI18n()
  const [{ fetching, error }, remove] = useMutation(DeleteWebhookMutation)
  return (
    <Modal opened={webhook !== null} onClose={onClose} title={t('webhooks.delete.title')}>
      {webhook && (
        <Stack gap="md">
          <Text size="sm" style={{ wordBreak: 'break-word' }}>
            {t('webhooks.delete.text', { url: webhook.url })}
          </Text>
          {error && <ErrorAlert error={error} title={t('webhooks.deleteFailed')} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} data-autofocus>
              {t('common.cancel')}
            </Button>
            <Button
              color="red"
              loading={fetching}
              leftSection={<IconTrash size={16} aria-hidden />}
              onClick={async () => {
                const res = await remove({ id: webhook.id })
                if (res.data?.deleteWebhook) {
                  notifications.show({ color: 'teal', message: t('webhooks.deleted') })
                  onDeleted()
                  onClose()
                }
              }}
            >
              {t('webhooks.delete.confirm')}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  )
}
