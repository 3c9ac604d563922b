import { ActionIcon, Alert, Button, CopyButton, Group, Paper, Stack, Text, Tooltip } from '@mantine/core'
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react'
import { useI18n } from '../i18n'

/**
 * A secret the server shows once (an API token, a one-time password): large, selectable, with a
 * copy button and a warning that it will not be shown again.
 */
export function SecretBox({ label, value, warning }: { label: string; value: string; warning: string }) {
  const { t } = useI18n()
  return (
    <Stack gap="sm">
      <Alert color="yellow" icon={<IconAlertTriangle aria-hidden />} title={t('secret.once')}>
        {warning}
      </Alert>
      <div>
        <Text size="sm" fw={600} mb={4} id="secret-label">
          {label}
        </Text>
        <Paper withBorder radius="sm" px="sm" py="xs" bg="gray.0">
          <Group justify="space-between" wrap="nowrap" gap="xs">
            <Text
              ff="monospace"
              size="lg"
              style={{ wordBreak: 'break-all', userSelect: 'all' }}
              aria-labelledby="secret-label"
              data-testid="secret-value"
            >
              {value}
            </Text>
            <CopyButton value={value} timeout={2500}>
              {({ copied, copy }) => (
                <Tooltip label={copied ? t('secret.copied') : t('secret.copy')} withArrow>
                  <ActionIcon
                    variant={copied ? 'filled' : 'light'}
                    color={copied ? 'teal' : undefined}
                    size="lg"
                    onClick={copy}
                    aria-label={copied ? t('secret.copied') : t('secret.copy')}
                  >
                    {copied ? <IconCheck size={18} aria-hidden /> : <IconCopy size={18} aria-hidden />}
                  </ActionIcon>
                </Tooltip>
              )}
            </CopyButton>
          </Group>
        </Paper>
      </div>
    </Stack>
  )
}

/** The close button under a SecretBox: says what the person confirms by closing. */
export function SecretDoneButton({ onClick, children }: { onClick: () => void; children: string }) {
  return (
    <Group justify="flex-end">
      <Button onClick={onClick}>{children}</Button>
    </Group>
  )
}
