import { Alert, Button, Group, List, Stack, Text, TextInput } from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { IconAlertTriangle, IconDownload, IconTrash } from '@tabler/icons-react'
import { useState } from 'react'
import { useMutation } from 'urql'
import { ErrorAlert } from '../../components/ErrorAlert'
import { useI18n } from '../../i18n'
import { fullName } from '../../names'
import { ErasePupilMutation } from './documents'
import { namesMatch } from './pupilData'
import type { PupilRow } from './PupilsTable'

/** Erasing a pupil for good: what it means, a download first if asked, and typing the name. */
export function EraseForm({
  pupil,
  onClose,
  onErased,
  onDownload,
}: {
  pupil: PupilRow
  onClose: () => void
  onErased: () => void
  onDownload: () => void
}) {
  const { t } = useI18n()
  const name = fullName(pupil)
  const [typed, setTyped] = useState('')
  const [{ fetching, error }, erase] = useMutation(ErasePupilMutation)
  const ok = namesMatch(typed, name)
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault()
        if (!ok) return
        // The class counts and rosters that held the pupil are stale now.
        const res = await erase({ accountId: pupil.id }, { additionalTypenames: ['Account', 'Class'] })
        if (res.data?.erasePupil) {
          notifications.show({ color: 'teal', message: t('pupil.erased', { name }) })
          onErased()
        }
      }}
    >
      <Stack gap="md">
        <Alert color="red" icon={<IconAlertTriangle aria-hidden />} title={t('pupil.erase.warning.title')}>
          <List size="sm" spacing={4}>
            <List.Item>{t('pupil.erase.warning.account')}</List.Item>
            <List.Item>{t('pupil.erase.warning.history')}</List.Item>
            <List.Item>{t('pupil.erase.warning.final')}</List.Item>
          </List>
        </Alert>
        <Group gap="xs" wrap="wrap">
          <Text size="sm">{t('pupil.erase.exportFirst')}</Text>
          <Button size="compact-sm" variant="light" leftSection={<IconDownload size={14} aria-hidden />} onClick={onDownload}>
            {t('pupil.export')}
          </Button>
        </Group>
        <TextInput
          label={t('pupil.erase.type', { name })}
          value={typed}
          onChange={(e) => setTyped(e.currentTarget.value)}
          autoComplete="off"
          spellCheck={false}
          error={typed !== '' && !ok && typed.trim().length >= name.length ? t('pupil.erase.mismatch') : undefined}
          data-autofocus
        />
        {error && <ErrorAlert error={error} title={t('pupil.erase.failed')} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" color="red" disabled={!ok} loading={fetching} leftSection={<IconTrash size={16} aria-hidden />}>
            {t('pupil.erase.confirm')}
          </Button>
        </Group>
      </Stack>
    </form>
  )
}
