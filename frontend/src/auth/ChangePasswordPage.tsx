import { Button, Paper, Stack, Text, Title } from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { IconLogout } from '@tabler/icons-react'
import { useState } from 'react'
import { useI18n } from '../i18n'
import { displayName, useAuth, useViewer } from './context'
import { ChangePasswordForm } from './ChangePasswordForm'
import { PublicLayout } from './PublicLayout'

/**
 * Before anything else after a one-time password: the account chooses its own. The page stays
 * at the address the person was going to, so they continue there.
 */
export function ForcedPasswordChange() {
  const { t } = useI18n()
  const { refresh, signOut } = useAuth()
  const viewer = useViewer()
  return (
    <PublicLayout
      title={t('password.forced.title')}
      intro={t('password.forced.intro', { name: displayName(viewer) })}
      aside={
        <Button variant="subtle" size="xs" leftSection={<IconLogout size={16} aria-hidden />} onClick={() => void signOut()}>
          {t('auth.signOut')}
        </Button>
      }
    >
      <ChangePasswordForm
        oneTime
        onDone={() => {
          notifications.show({ color: 'teal', message: t('password.changed') })
          void refresh()
        }}
      />
    </PublicLayout>
  )
}

/** /wachtwoord: every account can change its password. */
export function PasswordPage() {
  const { t } = useI18n()
  // A new form after a change, so the fields are empty again.
  const [round, setRound] = useState(0)
  return (
    <Stack gap="md" maw={520}>
      <Title order={1} size="h2">
        {t('password.title')}
      </Title>
      <Text size="sm" c="dimmed">
        {t('password.intro')}
      </Text>
      <Paper withBorder p="lg" radius="md">
        <ChangePasswordForm
          key={round}
          onDone={() => {
            notifications.show({ color: 'teal', message: t('password.changed') })
            setRound((r) => r + 1)
          }}
        />
      </Paper>
    </Stack>
  )
}
