import { Alert, Button, Group, Text } from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { IconTrash } from '@tabler/icons-react'
import { useNavigate } from 'react-router'
import { useMutation, useQuery } from 'urql'
import { ErrorAlert } from '../../components/ErrorAlert'
import { useI18n } from '../../i18n'
import { DiscardImportMutation, UnfinishedImportQuery } from './documents'

/**
 * Above a new import: the school's newest import that was started and not applied, to continue
 * it or throw it away (it then leaves the history). Nothing when there is none.
 */
export function UnfinishedImport({ schoolId }: { schoolId: string }) {
  const { t, lang, plural } = useI18n()
  const navigate = useNavigate()
  const [{ data }, refetch] = useQuery({
    query: UnfinishedImportQuery,
    variables: { schoolId },
    requestPolicy: 'network-only',
  })
  const [discardState, discard] = useMutation(DiscardImportMutation)
  const node = data?.node
  const job = node?.__typename === 'School' ? node.importJobs.edges?.[0]?.node : null
  if (!job) return null
  const date = new Intl.DateTimeFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' })
  const others = node?.__typename === 'School' ? node.importJobs.totalCount - 1 : 0
  return (
    <Alert color="blue" title={t('unfinished.title')} data-testid="unfinished-import">
      <Text size="sm">
        {t('unfinished.text', { file: job.fileName, date: date.format(new Date(job.createdAt)) })}
        {others > 0 ? ` ${plural('unfinished.more', others)}` : ''}
      </Text>
      <Group gap="sm" mt="sm">
        <Button size="xs" onClick={() => navigate(`/import/${job.id}`)}>
          {t('unfinished.continue')}
        </Button>
        <Button
          size="xs"
          variant="light"
          color="red"
          leftSection={<IconTrash size={14} aria-hidden />}
          loading={discardState.fetching}
          onClick={async () => {
            const r = await discard({ jobId: job.id })
            if (!r.error) {
              notifications.show({ color: 'teal', message: t('unfinished.discarded'), autoClose: 2500 })
              refetch({ requestPolicy: 'network-only' })
            }
          }}
        >
          {t('unfinished.discard')}
        </Button>
      </Group>
      {discardState.error && <ErrorAlert error={discardState.error} />}
    </Alert>
  )
}
