import { Button, Group, Modal, Stack, Text } from '@mantine/core'
import { IconKey } from '@tabler/icons-react'
import { useState } from 'react'
import { useMutation } from 'urql'
import { ErrorAlert } from '../../components/ErrorAlert'
import { SecretBox, SecretDoneButton } from '../../components/SecretBox'
import { useI18n } from '../../i18n'
import { ResetPasswordMutation } from './documents'

/** An account whose password the admin resets. */
export interface ResetTarget {
  id: string
  name: string
}

/**
 * Confirm, then show the one-time password once. The account's sessions end and it must choose
 * its own password at the next sign-in.
 */
export function ResetPasswordModal({ target, onClose }: { target: ResetTarget | null; onClose: () => void }) {
  const { t } = useI18n()
  const [shown, setShown] = useState(false)
  return (
    <Modal
      opened={target !== null}
      onClose={() => {
        setShown(false)
        onClose()
      }}
      title={target ? t('reset.title', { name: target.name }) : ''}
      // Once the password is on screen, only a deliberate close loses it.
      closeOnClickOutside={!shown}
      size="lg"
    >
      {target && (
        <ResetBody
          key={target.id}
          target={target}
          onShown={() => setShown(true)}
          onClose={() => {
            setShown(false)
            onClose()
          }}
        />
      )}
    </Modal>
  )
}

function ResetBody({ target, onShown, onClose }: { target: ResetTarget; onShown: () => void; onClose: () => void }) {
  const { t } = useI18n()
  const [password, setPassword] = useState<string | null>(null)
  const [{ fetching, error }, reset] = useMutation(ResetPasswordMutation)
  if (password)
    return (
      <Stack gap="md">
        <SecretBox label={t('reset.password.label')} value={password} warning={t('reset.password.warning', { name: target.name })} />
        <SecretDoneButton onClick={onClose}>{t('secret.done')}</SecretDoneButton>
      </Stack>
    )
  return (
    <Stack gap="md">
      <Text size="sm">{t('reset.text', { name: target.name })}</Text>
      {error && <ErrorAlert error={error} title={t('reset.failed')} />}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          {t('common.cancel')}
        </Button>
        <Button
          loading={fetching}
          leftSection={<IconKey size={16} aria-hidden />}
          onClick={async () => {
            const res = await reset({ accountId: target.id })
            if (res.data?.resetPassword) {
              setPassword(res.data.resetPassword)
              onShown()
            }
          }}
        >
          {t('reset.confirm')}
        </Button>
      </Group>
    </Stack>
  )
}
