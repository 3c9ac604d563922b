import { Alert, Button, Group, Text } from '@mantine/core'
import { IconArrowRight } from '@tabler/icons-react'
import { useI18n } from '../../i18n'

/**
 * The way on from a roster set's pupil job to its teacher job: the teachers are planned only
 * now, so their preview sees the lesgroepen the pupil import created.
 */
export function NextJobCard({ next, onGo }: { next: { id: string; fileKind: string; status: string }; onGo: () => void }) {
  const { t } = useI18n()
  const done = next.status === 'COMMITTED' || next.status === 'UNDONE'
  return (
    <Alert color="indigo" title={t('set.nextJob.title')}>
      <Text size="sm">{done ? t('set.nextJob.done') : t('set.nextJob.text')}</Text>
      <Group justify="flex-end" mt="sm">
        <Button onClick={onGo} rightSection={<IconArrowRight size={16} aria-hidden />}>
          {next.fileKind === 'TEACHERS' ? t('set.nextJob.teachers') : t('set.nextJob.go')}
        </Button>
      </Group>
    </Alert>
  )
}
