import { Alert, Button, Group, NumberInput, Paper, Stack, Text, Title } from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { IconDeviceFloppy, IconInfoCircle } from '@tabler/icons-react'
import { useState, type FormEvent } from 'react'
import { useMutation, useQuery } from 'urql'
import { ErrorAlert } from '../../components/ErrorAlert'
import { Loading } from '../../components/Loading'
import { useI18n } from '../../i18n'
import { useSchool } from '../../school/SchoolProvider'
import { SchoolSettingsQuery, UpdateSchoolSettingsMutation } from './documents'
import { daysInWords, settingLimits, type Settings } from './settings'
import { LettersSettings } from '../startcodes/LettersSettings'

/** Beheer → Instellingen: the archive guard's threshold and the retention terms. */
export function SettingsPanel() {
  const { school } = useSchool()
  const { t } = useI18n()
  const [{ data, fetching, error }, refetch] = useQuery({
    query: SchoolSettingsQuery,
    variables: { schoolId: school?.id ?? '' },
    pause: !school,
    requestPolicy: 'cache-and-network',
  })
  const s = data?.node?.__typename === 'School' ? data.node : null
  if (error && !s) return <ErrorAlert error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
  if (!s || !school) return fetching ? <Loading /> : <Text c="dimmed">{t('school.none')}</Text>
  const initial: Settings = {
    archiveThreshold: s.archiveThreshold,
    archivedRetentionDays: s.archivedRetentionDays,
    jobDataRetentionDays: s.jobDataRetentionDays,
    auditRetentionDays: s.auditRetentionDays,
  }
  return (
    <Stack gap="md">
      <SettingsForm key={JSON.stringify(initial)} schoolId={school.id} initial={initial} />
      <LettersSettings schoolId={school.id} />
    </Stack>
  )
}

/** The form itself, for a school's current settings; only changed fields are sent. */
export function SettingsForm({ schoolId, initial }: { schoolId: string; initial: Settings }) {
  const i18n = useI18n()
  const { t } = i18n
  const [values, setValues] = useState<Record<keyof Settings, number | string>>(initial)
  const [{ fetching, error }, save] = useMutation(UpdateSchoolSettingsMutation)

  const problem = (key: keyof Settings): string | undefined => {
    const v = values[key]
    const { min, max } = settingLimits[key]
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) return t('settings.range', { min, max })
    return undefined
  }
  const keys = Object.keys(initial) as (keyof Settings)[]
  const invalid = keys.some((k) => problem(k))
  const dirty = keys.some((k) => values[k] !== initial[k])

  async function submit(e: FormEvent) {
    e.preventDefault()
    if (invalid || !dirty) return
    const input = Object.fromEntries(keys.filter((k) => values[k] !== initial[k]).map((k) => [k, values[k] as number]))
    const res = await save({ schoolId, input })
    if (res.data?.updateSchoolSettings) notifications.show({ color: 'teal', message: t('settings.saved') })
  }

  const field = (key: keyof Settings, label: string, description: string, suffix: string) => (
    <NumberInput
      label={label}
      description={description}
      value={values[key]}
      onChange={(v) => setValues((prev) => ({ ...prev, [key]: v }))}
      min={settingLimits[key].min}
      max={settingLimits[key].max}
      allowDecimal={false}
      allowNegative={false}
      clampBehavior="none"
      hideControls
      suffix={suffix}
      error={problem(key)}
      rightSection={
        key === 'archiveThreshold' ? undefined : (
          <Text size="xs" c="dimmed" pr="xs" style={{ whiteSpace: 'nowrap' }}>
            {daysInWords(Number(values[key]), i18n) ?? ''}
          </Text>
        )
      }
      rightSectionWidth={key === 'archiveThreshold' ? undefined : 110}
      rightSectionPointerEvents="none"
      maw={480}
    />
  )

  return (
    <form onSubmit={submit} noValidate aria-label={t('admin.tab.settings')} style={{ maxWidth: 800 }}>
      <Stack gap="md">
        <Paper withBorder p="lg" radius="md">
          <Stack gap="sm">
            <Title order={2} size="h4">
              {t('settings.archive.title')}
            </Title>
            {field('archiveThreshold', t('settings.archiveThreshold'), t('settings.archiveThreshold.description'), ' %')}
          </Stack>
        </Paper>
        <Paper withBorder p="lg" radius="md">
          <Stack gap="sm">
            <Title order={2} size="h4">
              {t('settings.retention.title')}
            </Title>
            <Text size="sm" c="dimmed" maw={720}>
              {t('settings.retention.intro')}
            </Text>
            {field(
              'archivedRetentionDays',
              t('settings.archivedRetentionDays'),
              t('settings.archivedRetentionDays.description'),
              ` ${t('settings.days')}`,
            )}
            {field(
              'jobDataRetentionDays',
              t('settings.jobDataRetentionDays'),
              t('settings.jobDataRetentionDays.description'),
              ` ${t('settings.days')}`,
            )}
            <Alert color="blue" variant="light" icon={<IconInfoCircle aria-hidden />} maw={720}>
              {t('settings.jobData.undoNote')}
            </Alert>
            {field(
              'auditRetentionDays',
              t('settings.auditRetentionDays'),
              t('settings.auditRetentionDays.description'),
              ` ${t('settings.days')}`,
            )}
          </Stack>
        </Paper>
        {error && <ErrorAlert error={error} title={t('settings.failed')} />}
        <Group>
          <Button type="submit" loading={fetching} disabled={!dirty || invalid} leftSection={<IconDeviceFloppy size={18} aria-hidden />}>
            {t('settings.save')}
          </Button>
          {dirty && (
            <Button variant="subtle" onClick={() => setValues(initial)}>
              {t('settings.reset')}
            </Button>
          )}
        </Group>
      </Stack>
    </form>
  )
}
