import { Alert, Button, Group, Stack, Text } from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
import type { CombinedError } from 'urql'
import { apiErrors } from '../api/errors'
import { useI18n } from '../i18n'

/** Shows why a request failed: the server's message in the current language, or "cannot reach the server". */
export function ErrorAlert({
  error,
  title,
  onRetry,
}: {
  error: CombinedError | undefined | null
  title?: string
  onRetry?: () => void
}) {
  const { t, pick } = useI18n()
  const errors = apiErrors(error)
  if (errors.length === 0) return null
  return (
    <Alert color="red" icon={<IconAlertTriangle aria-hidden />} title={title ?? t('error.title')} role="alert">
      <Stack gap={4}>
        {errors.map((e, i) => (
          <Text key={i} size="sm">
            {e.code === 'NETWORK' ? t('error.network') : pick(e.message, e.messageEn)}
          </Text>
        ))}
        {onRetry && (
          <Group>
            <Button size="xs" variant="light" color="red" onClick={onRetry}>
              {t('common.retry')}
            </Button>
          </Group>
        )}
      </Stack>
    </Alert>
  )
}
