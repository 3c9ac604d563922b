import { Center, Group, Loader, Text } from '@mantine/core'
import { useI18n } from '../i18n'

/** A spinner with a text, announced politely to screen readers. */
export function Loading({ label }: { label?: string }) {
  const { t } = useI18n()
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Group gap="sm">
        <Loader size="sm" />
        <Text c="dimmed">{label ?? t('common.loading')}</Text>
      </Group>
    </Center>
  )
}
