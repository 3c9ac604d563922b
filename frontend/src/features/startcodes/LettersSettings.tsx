import { Button, Group, NumberInput, Paper, Stack, Text, TextInput, Title } from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { IconDeviceFloppy } from '@tabler/icons-react'
import { useState, type FormEvent } from 'react'
import { useMutation, useQuery } from 'urql'
import { ErrorAlert } from '../../components/ErrorAlert'
import { useI18n } from '../../i18n'
import { LettersSettingsQuery, UpdateLettersSettingsMutation } from './documents'

/** Beheer → Instellingen → Inlogbrieven: how usernames are made and how long a start code works. */
export function LettersSettings({ schoolId }: { schoolId: string }) {
  const [{ data, error }, refetch] = useQuery({ query: LettersSettingsQuery, variables: { schoolId }, requestPolicy: 'cache-and-network' })
  const s = data?.node?.__typename === 'School' ? data.node : null
  if (error && !s) return <ErrorAlert error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
  if (!s) return null
  return <LettersSettingsForm key={`${s.usernamePattern}|${s.startCodeValidDays}`} schoolId={schoolId} pattern={s.usernamePattern} days={s.startCodeValidDays} />
}

function LettersSettingsForm({ schoolId, pattern: initialPattern, days: initialDays }: { schoolId: string; pattern: string; days: number }) {
  const { t } = useI18n()
  const [pattern, setPattern] = useState(initialPattern)
  const [days, setDays] = useState<number | string>(initialDays)
  const [{ fetching, error }, save] = useMutation(UpdateLettersSettingsMutation)
  const daysBad = typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 90
  const dirty = pattern.trim() !== initialPattern || days !== initialDays

  async function submit(e: FormEvent) {
    e.preventDefault()
    if (daysBad || !dirty) return
    const res = await save({ schoolId, input: { usernamePattern: pattern.trim(), startCodeValidDays: days as number } })
    if (res.data?.updateStartCodeSettings) notifications.show({ color: 'teal', message: t('settings.saved') })
  }

  return (
    <form onSubmit={submit} noValidate aria-label={t('letters.settings.title')} style={{ maxWidth: 800 }}>
      <Paper withBorder p="lg" radius="md">
        <Stack gap="sm">
          <Title order={2} size="h4">
            {t('letters.settings.title')}
          </Title>
          <Text size="sm" c="dimmed" maw={720}>
            {t('letters.settings.intro')}
          </Text>
          <TextInput
            label={t('letters.settings.pattern')}
            description={t('letters.settings.pattern.description')}
            value={pattern}
            onChange={(e) => setPattern(e.currentTarget.value)}
            spellCheck={false}
            autoCapitalize="none"
            maw={480}
          />
          <NumberInput
            label={t('letters.settings.days')}
            description={t('letters.settings.days.description')}
            value={days}
            onChange={setDays}
            min={1}
            max={90}
            allowDecimal={false}
            allowNegative={false}
            clampBehavior="none"
            hideControls
            suffix={` ${t('settings.days')}`}
            error={daysBad ? t('settings.range', { min: 1, max: 90 }) : undefined}
            maw={480}
          />
          {error && <ErrorAlert error={error} title={t('settings.failed')} />}
          <Group>
            <Button type="submit" loading={fetching} disabled={!dirty || daysBad} leftSection={<IconDeviceFloppy size={18} aria-hidden />}>
              {t('settings.save')}
            </Button>
          </Group>
        </Stack>
      </Paper>
    </form>
  )
}
