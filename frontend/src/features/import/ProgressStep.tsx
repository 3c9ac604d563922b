import { Alert, Button, Group, Progress, Stack, Text, Title } from '@mantine/core'
import { IconCircleCheck, IconInfoCircle } from '@tabler/icons-react'
import { useEffect } from 'react'
import { useSubscription } from 'urql'
import { ErrorAlert } from '../../components/ErrorAlert'
import type { ImportProgressSubscription as Event } from '../../gql/graphql'
import { useI18n, type MessageKey } from '../../i18n'
import { ImportProgressSubscription } from './documents'
import { formatPercent, progressPercent } from './format'

// Every phase the server reports (internal/jobs/phase.go); 'writing' says "Accounts opslaan",
// true for adding, updating and archiving alike (it said "Accounts bijwerken" during a pure add).
const phases = ['uploaded', 'mapped', 'previewed', 'queued', 'planning', 'writing', 'done', 'failed']

/** How long the full bar stays in view before the result step opens by itself. */
const finishDelayMs = 1500

/** The phase in the current language ("Accounts schrijven"), or the server's word if it is new. */
export function usePhaseLabel() {
  const { t } = useI18n()
  return (phase: string) => (phases.includes(phase) ? t(`phase.${phase}` as MessageKey) : phase)
}

/**
 * Step 5: the live progress of the import, fed by the importProgress subscription. The import
 * runs on the server: leaving the page does not stop it, and the first event after coming
 * back is its current state.
 */
export function ProgressStep({
  jobId,
  initial,
  onFinished,
}: {
  jobId: string
  initial: { done: number; total: number; phase: string }
  onFinished: () => void
}) {
  const { t, num, lang } = useI18n()
  const phaseLabel = usePhaseLabel()
  const [{ data, error }] = useSubscription<Event, Event>({ query: ImportProgressSubscription, variables: { jobId } })
  const event = data?.importProgress
  const done = event?.done ?? initial.done
  const total = event?.total ?? initial.total
  const final = event?.final ?? false
  const failed = event?.status === 'FAILED'
  const percent = final && !failed ? 100 : progressPercent(done, total)

  useEffect(() => {
    if (!final) return
    const timer = setTimeout(onFinished, failed ? 0 : finishDelayMs)
    return () => clearTimeout(timer)
  }, [final, failed, onFinished])

  return (
    <Stack gap="md">
      <Title order={2}>{t('progress.title')}</Title>
      <Stack gap={6}>
        <Group justify="space-between">
          <Text fw={500} aria-live="polite">
            {phaseLabel(event?.phase ?? initial.phase)}
          </Text>
          <Text fw={700} size="lg">
            {formatPercent(percent, lang)}
          </Text>
        </Group>
        <Progress.Root size={24} radius="md">
          <Progress.Section
            value={percent}
            color={failed ? 'red' : final ? 'teal' : 'blue'}
            animated={!final}
            aria-label={t('progress.aria')}
          />
        </Progress.Root>
        <Text size="sm" c="dimmed">
          {total > 0 ? t('progress.count', { done: num(done), total: num(total) }) : t('progress.waiting')}
        </Text>
      </Stack>
      {!final && (
        <Alert color="blue" icon={<IconInfoCircle aria-hidden />}>
          {t('progress.leave')}
        </Alert>
      )}
      {final && !failed && (
        <Alert color="teal" icon={<IconCircleCheck aria-hidden />} title={t('progress.done')} role="status">
          {t('progress.opening')}
        </Alert>
      )}
      <ErrorAlert error={error} title={t('progress.lost')} />
      {final && (
        <Group justify="flex-end">
          <Button onClick={onFinished}>{t('progress.showResult')}</Button>
        </Group>
      )}
    </Stack>
  )
}
