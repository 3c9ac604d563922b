import { Alert, Button, Code, Group, Paper, PasswordInput, Select, Stack, Switch, Text, TextInput, Title } from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { IconDeviceFloppy, IconInfoCircle } from '@tabler/icons-react'
import { useState, type FormEvent } from 'react'
import { useMutation, useQuery } from 'urql'
import { ErrorAlert } from '../../components/ErrorAlert'
import { Loading } from '../../components/Loading'
import type { SsoMatch } from '../../gql/graphql'
import { useI18n } from '../../i18n'
import { useSchool } from '../../school/SchoolProvider'
import { SetSsoSettingsMutation, SsoSettingsQuery } from '../sso/documents'
import { defaultClaims } from '../sso/sso'

/** The settings as the form edits them; the secret is write-only (hasSecret tells whether one is stored). */
export interface SsoValues {
  issuer: string
  clientId: string
  hasSecret: boolean
  match: SsoMatch
  claim: string
  enabled: boolean
  label: string
}

const empty: SsoValues = { issuer: '', clientId: '', hasSecret: false, match: 'EMAIL', claim: '', enabled: false, label: '' }

/** Beheer → Inloggen via school: the school's OpenID Connect provider for single sign-on. */
export function SsoPanel() {
  const { school } = useSchool()
  const { t } = useI18n()
  const [{ data, fetching, error }, refetch] = useQuery({
    query: SsoSettingsQuery,
    variables: { schoolId: school?.id ?? '' },
    pause: !school,
    requestPolicy: 'cache-and-network',
  })
  if (error && !data) return <ErrorAlert error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
  if (!data || !school) return fetching ? <Loading /> : <Text c="dimmed">{t('school.none')}</Text>
  const s = data.ssoSettings
  const initial: SsoValues = s
    ? { issuer: s.issuer, clientId: s.clientId, hasSecret: s.hasSecret, match: s.match, claim: s.claim, enabled: s.enabled, label: s.label }
    : empty
  return <SsoForm key={JSON.stringify(initial)} schoolId={school.id} initial={initial} />
}

/** The form for a school's current settings. The secret is sent only when typed. */
export function SsoForm({ schoolId, initial }: { schoolId: string; initial: SsoValues }) {
  const { t } = useI18n()
  const [v, setV] = useState<SsoValues>(initial)
  const [secret, setSecret] = useState('')
  const [removeSecret, setRemoveSecret] = useState(false)
  const [{ fetching, error }, save] = useMutation(SetSsoSettingsMutation)
  const set = <K extends keyof SsoValues>(k: K, value: SsoValues[K]) => setV((prev) => ({ ...prev, [k]: value }))
  const callback = `${window.location.origin}/api/sso/callback`

  async function submit(e: FormEvent) {
    e.preventDefault()
    const input = {
      issuer: v.issuer,
      clientId: v.clientId,
      match: v.match,
      claim: v.claim.trim() === '' ? null : v.claim,
      enabled: v.enabled,
      label: v.label,
      // Untouched: null keeps the stored secret; "" removes it.
      clientSecret: secret !== '' ? secret : removeSecret ? '' : null,
    }
    const res = await save({ schoolId, input })
    const saved = res.data?.setSsoSettings
    if (saved) {
      // What the server stored, hasSecret included (the query had nothing to refresh when none was set).
      setV({ issuer: saved.issuer, clientId: saved.clientId, hasSecret: saved.hasSecret, match: saved.match, claim: saved.claim, enabled: saved.enabled, label: saved.label })
      setSecret('')
      setRemoveSecret(false)
      notifications.show({ color: 'teal', message: t('sso.settings.saved') })
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-label={t('admin.tab.sso')} style={{ maxWidth: 800 }}>
      <Stack gap="md">
        <Paper withBorder p="lg" radius="md">
          <Stack gap="sm">
            <Title order={2} size="h4">
              {t('sso.settings.title')}
            </Title>
            <Text size="sm" c="dimmed" maw={720}>
              {t('sso.settings.intro')}
            </Text>
            <Alert color="blue" variant="light" icon={<IconInfoCircle aria-hidden />} maw={720}>
              <Text size="sm">{t('sso.settings.redirect')}</Text>
              <Code block mt={4}>
                {callback}
              </Code>
            </Alert>
            <Switch label={t('sso.settings.enabled')} checked={v.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
            <TextInput
              label={t('sso.settings.label')}
              description={t('sso.settings.label.description', { label: v.label || 'Microsoft' })}
              value={v.label}
              maxLength={60}
              onChange={(e) => set('label', e.currentTarget.value)}
              maw={480}
            />
            <TextInput
              label={t('sso.settings.issuer')}
              description={t('sso.settings.issuer.description')}
              placeholder="https://login.microsoftonline.com/<tenant>/v2.0"
              value={v.issuer}
              maxLength={500}
              onChange={(e) => set('issuer', e.currentTarget.value)}
              required
            />
            <TextInput
              label={t('sso.settings.clientId')}
              value={v.clientId}
              maxLength={255}
              onChange={(e) => set('clientId', e.currentTarget.value)}
              required
              maw={480}
            />
            <PasswordInput
              label={t('sso.settings.secret')}
              description={v.hasSecret && !removeSecret ? t('sso.settings.secret.stored') : t('sso.settings.secret.none')}
              value={secret}
              maxLength={1000}
              autoComplete="new-password"
              onChange={(e) => setSecret(e.currentTarget.value)}
              maw={480}
            />
            {v.hasSecret && (
              <Switch
                label={t('sso.settings.secret.remove')}
                checked={removeSecret}
                onChange={(e) => setRemoveSecret(e.currentTarget.checked)}
                disabled={secret !== ''}
              />
            )}
            <Select
              label={t('sso.settings.match')}
              description={t('sso.settings.match.description')}
              data={[
                { value: 'EMAIL', label: t('sso.match.EMAIL') },
                { value: 'USERNAME', label: t('sso.match.USERNAME') },
                { value: 'ECK_ID', label: t('sso.match.ECK_ID') },
              ]}
              value={v.match}
              onChange={(m) => m && set('match', m as SsoMatch)}
              allowDeselect={false}
              maw={480}
            />
            <TextInput
              label={t('sso.settings.claim')}
              description={t('sso.settings.claim.description', { claim: defaultClaims[v.match] })}
              placeholder={defaultClaims[v.match]}
              value={v.claim}
              maxLength={100}
              onChange={(e) => set('claim', e.currentTarget.value)}
              maw={480}
            />
          </Stack>
        </Paper>
        {error && <ErrorAlert error={error} title={t('sso.settings.failed')} />}
        <Group>
          <Button type="submit" loading={fetching} leftSection={<IconDeviceFloppy size={18} aria-hidden />}>
            {t('sso.settings.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  )
}
