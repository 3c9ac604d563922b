import { Alert, Badge, Button, Checkbox, Code, Group, Modal, Paper, Stack, Table, Text, TextInput, VisuallyHidden } from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { IconKey, IconKeyOff, IconPlus, IconWebhook } from '@tabler/icons-react'
import { useState, type FormEvent } from 'react'
import { useMutation, useQuery } from 'urql'
import { ErrorAlert } from '../../components/ErrorAlert'
import { Loading } from '../../components/Loading'
import { SecretBox, SecretDoneButton } from '../../components/SecretBox'
import type { ApiTokenScope } from '../../gql/graphql'
import { useI18n, type MessageKey } from '../../i18n'
import { useSchool } from '../../school/SchoolProvider'
import { ApiTokensQuery, CreateApiTokenMutation, RevokeApiTokenMutation } from './documents'
import { WebhooksPanel } from './WebhooksPanel'

/** The scopes an admin can give a token, with their label and explanation. */
const scopes: { value: ApiTokenScope; label: MessageKey; description: MessageKey }[] = [
  { value: 'READ_ROSTERS', label: 'scope.READ_ROSTERS', description: 'scope.READ_ROSTERS.description' },
  { value: 'RUN_IMPORTS', label: 'scope.RUN_IMPORTS', description: 'scope.RUN_IMPORTS.description' },
]

interface TokenRow {
  id: string
  name: string
  prefix: string
  createdAt: string
  lastUsedAt: string | null
  revokedAt: string | null
  scopes: ApiTokenScope[]
}

/** Beheer → API-sleutels: the school's tokens; create one (its secret shown once), revoke one. */
export function TokensPanel() {
  const { t, lang } = useI18n()
  const { school } = useSchool()
  const [{ data, fetching, error }, refetch] = useQuery({
    query: ApiTokensQuery,
    variables: { schoolId: school?.id ?? '' },
    pause: !school,
    requestPolicy: 'cache-and-network',
  })
  const [creating, setCreating] = useState(false)
  const [revoking, setRevoking] = useState<TokenRow | null>(null)
  const [webhooksOf, setWebhooksOf] = useState<string | null>(null)
  const conn = data?.node?.__typename === 'School' ? data.node.apiTokens : null
  const rows: TokenRow[] = conn?.edges?.flatMap((e) => (e?.node ? [e.node] : [])) ?? []
  const locale = lang === 'nl' ? 'nl-NL' : 'en-GB'
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' })
  const day = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' })
  const reload = () => refetch({ requestPolicy: 'network-only' })

  return (
    <Paper withBorder p="lg" radius="md">
      <Stack gap="md">
        <Group justify="space-between" align="flex-start" wrap="wrap">
          <Text size="sm" c="dimmed" maw={640}>
            {t('tokens.intro')}
          </Text>
          <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setCreating(true)} disabled={!school}>
            {t('tokens.new')}
          </Button>
        </Group>
        {error && <ErrorAlert error={error} onRetry={reload} />}
        {!conn && fetching && <Loading />}
        {conn && rows.length === 0 && (
          <Alert color="gray" icon={<IconKey aria-hidden />}>
            {t('tokens.none')}
          </Alert>
        )}
        {rows.length > 0 && (
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing={8} aria-label={t('admin.tab.tokens')} highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('tokens.col.name')}</Table.Th>
                  <Table.Th scope="col">{t('tokens.col.prefix')}</Table.Th>
                  <Table.Th scope="col">{t('tokens.col.scopes')}</Table.Th>
                  <Table.Th scope="col">{t('tokens.col.created')}</Table.Th>
                  <Table.Th scope="col" style={{ whiteSpace: 'nowrap' }}>
                    {t('tokens.col.lastUsed')}
                  </Table.Th>
                  <Table.Th scope="col">{t('tokens.col.status')}</Table.Th>
                  <Table.Th scope="col">
                    <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r) => (
                  <Table.Tr key={r.id} c={r.revokedAt ? 'dimmed' : undefined}>
                    <Table.Td fw={600}>{r.name}</Table.Td>
                    <Table.Td>
                      <Code>{r.prefix}…</Code>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {r.scopes.map((s) => (
                          <Badge key={s} variant="light" color={s === 'RUN_IMPORTS' ? 'orange' : 'blue'} tt="none">
                            {t(`scope.${s}`)}
                          </Badge>
                        ))}
                      </Group>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{day.format(new Date(r.createdAt))}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      {r.lastUsedAt ? date.format(new Date(r.lastUsedAt)) : t('tokens.neverUsed')}
                    </Table.Td>
                    <Table.Td>
                      {r.revokedAt ? (
                        <>
                          <Badge color="gray" variant="light" tt="none">
                            {t('tokens.revoked.badge')}
                          </Badge>
                          <Text size="xs" c="dimmed" mt={2} style={{ whiteSpace: 'nowrap' }}>
                            {t('tokens.revokedAt', { date: day.format(new Date(r.revokedAt)) })}
                          </Text>
                        </>
                      ) : (
                        <Badge color="teal" variant="light" tt="none">
                          {t('tokens.active')}
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} justify="flex-end" wrap="wrap">
                        <Button
                          size="xs"
                          variant={webhooksOf === r.id ? 'light' : 'subtle'}
                          leftSection={<IconWebhook size={14} aria-hidden />}
                          onClick={() => setWebhooksOf(webhooksOf === r.id ? null : r.id)}
                          aria-expanded={webhooksOf === r.id}
                          aria-label={t('webhooks.open.aria', { name: r.name })}
                        >
                          {t('webhooks.open')}
                        </Button>
                        {!r.revokedAt && (
                          <Button
                            size="xs"
                            variant="subtle"
                            color="red"
                            leftSection={<IconKeyOff size={14} aria-hidden />}
                            onClick={() => setRevoking(r)}
                            aria-label={t('tokens.revoke.aria', { name: r.name })}
                          >
                            {t('tokens.revoke')}
                          </Button>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {rows
          .filter((r) => r.id === webhooksOf)
          .map((r) => (
            <Paper key={r.id} withBorder p="md" radius="md" bg="gray.0">
              <WebhooksPanel tokenId={r.id} tokenName={r.name} revoked={!!r.revokedAt} onClose={() => setWebhooksOf(null)} />
            </Paper>
          ))}
      </Stack>
      {school && (
        <CreateTokenModal
          opened={creating}
          schoolId={school.id}
          onCreated={reload}
          onClose={() => setCreating(false)}
        />
      )}
      <RevokeTokenModal token={revoking} onClose={() => setRevoking(null)} onRevoked={reload} />
    </Paper>
  )
}

function CreateTokenModal({
  opened,
  schoolId,
  onCreated,
  onClose,
}: {
  opened: boolean
  schoolId: string
  onCreated: () => void
  onClose: () => void
}) {
  const { t } = useI18n()
  // A fresh form every time the modal opens.
  const [round, setRound] = useState(0)
  const [secretShown, setSecretShown] = useState(false)
  const close = () => {
    setSecretShown(false)
    setRound((r) => r + 1)
    onClose()
  }
  return (
    <Modal
      opened={opened}
      onClose={close}
      title={t(secretShown ? 'tokens.created.title' : 'tokens.new')}
      size="lg"
      closeOnClickOutside={!secretShown}
    >
      <CreateTokenForm
        key={round}
        schoolId={schoolId}
        onCreated={() => {
          setSecretShown(true)
          onCreated()
        }}
        onClose={close}
      />
    </Modal>
  )
}

function CreateTokenForm({ schoolId, onCreated, onClose }: { schoolId: string; onCreated: () => void; onClose: () => void }) {
  const { t } = useI18n()
  const [name, setName] = useState('')
  const [chosen, setChosen] = useState<string[]>(['READ_ROSTERS'])
  const [checked, setChecked] = useState(false)
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null)
  const [{ fetching, error }, create] = useMutation(CreateApiTokenMutation)

  if (created)
    return (
      <Stack gap="md">
        <SecretBox label={t('tokens.secret.label', { name: created.name })} value={created.secret} warning={t('tokens.secret.warning')} />
        <Text size="sm" c="dimmed">
          {t('tokens.secret.use')}
        </Text>
        <SecretDoneButton onClick={onClose}>{t('secret.done')}</SecretDoneButton>
      </Stack>
    )

  const nameProblem = name.trim() === '' ? t('tokens.name.missing') : name.trim().length > 100 ? t('tokens.name.long') : undefined
  const scopeProblem = chosen.length === 0 ? t('tokens.scopes.missing') : undefined

  async function submit(e: FormEvent) {
    e.preventDefault()
    setChecked(true)
    if (nameProblem || scopeProblem) return
    const res = await create({ schoolId, name: name.trim(), scopes: chosen as ApiTokenScope[] })
    const out = res.data?.createApiToken
    if (out) {
      setCreated({ name: out.token.name, secret: out.secret })
      notifications.show({ color: 'teal', message: t('tokens.created', { name: out.token.name }) })
      onCreated()
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-label={t('tokens.new')}>
      <Stack gap="md">
        <TextInput
          label={t('tokens.name')}
          description={t('tokens.name.description')}
          placeholder={t('tokens.name.placeholder')}
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={checked && nameProblem}
          maxLength={120}
          data-autofocus
        />
        <Checkbox.Group
          label={t('tokens.scopes')}
          description={t('tokens.scopes.description')}
          value={chosen}
          onChange={setChosen}
          error={checked && scopeProblem}
          required
        >
          <Stack gap="sm" mt="xs">
            {scopes.map((s) => (
              <Checkbox key={s.value} value={s.value} label={t(s.label)} description={t(s.description)} />
            ))}
          </Stack>
        </Checkbox.Group>
        {error && <ErrorAlert error={error} title={t('tokens.createFailed')} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" loading={fetching} leftSection={<IconKey size={16} aria-hidden />}>
            {t('tokens.create')}
          </Button>
        </Group>
      </Stack>
    </form>
  )
}

function RevokeTokenModal({ token, onClose, onRevoked }: { token: TokenRow | null; onClose: () => void; onRevoked: () => void }) {
  const { t } = useI18n()
  const [{ fetching, error }, revoke] = useMutation(RevokeApiTokenMutation)
  return (
    <Modal opened={token !== null} onClose={onClose} title={token ? t('tokens.revoke.title', { name: token.name }) : ''}>
      {token && (
        <Stack gap="md">
          <Text size="sm">{t('tokens.revoke.text')}</Text>
          {error && <ErrorAlert error={error} title={t('tokens.revokeFailed')} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} data-autofocus>
              {t('common.cancel')}
            </Button>
            <Button
              color="red"
              loading={fetching}
              leftSection={<IconKeyOff size={16} aria-hidden />}
              onClick={async () => {
                const res = await revoke({ id: token.id })
                if (res.data?.revokeApiToken) {
                  notifications.show({ color: 'teal', message: t('tokens.revoked', { name: token.name }) })
                  onRevoked()
                  onClose()
                }
              }}
            >
              {t('tokens.revoke.confirm')}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  )
}
