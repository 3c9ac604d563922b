import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  List,
  Modal,
  ScrollArea,
  Stack,
  Table,
  Text,
  ThemeIcon,
} from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { IconAlertTriangle, IconArrowBackUp, IconInfoCircle, IconRestore, IconTrash, IconUserCheck } from '@tabler/icons-react'
import { useState, type ReactNode } from 'react'
import { useMutation, useQuery } from 'urql'
import { findError } from '../../api/errors'
import { ErrorAlert } from '../../components/ErrorAlert'
import { Loading } from '../../components/Loading'
import { useI18n } from '../../i18n'
import { UndoImportMutation, UndoPreviewQuery } from './documents'

/** The job an admin is about to undo. */
export interface UndoTarget {
  id: string
  fileName: string
  createdAt: string
}

/**
 * Undoing an import: first what it will do (the server's preview), the accounts that changed
 * afterwards and stay as they are, then the confirmation.
 */
export function UndoModal({ job, onClose, onUndone }: { job: UndoTarget | null; onClose: () => void; onUndone: () => void }) {
  const { t, lang } = useI18n()
  const date = new Intl.DateTimeFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' })
  return (
    <Modal
      opened={job !== null}
      onClose={onClose}
      size="xl"
      title={
        job ? (
          <Stack gap={0}>
            <Text fw={700} size="lg">
              {t('undo.title')}
            </Text>
            <Text size="sm" c="dimmed">
              {t('undo.subtitle', { file: job.fileName, date: date.format(new Date(job.createdAt)) })}
            </Text>
          </Stack>
        ) : null
      }
    >
      {job && <UndoBody key={job.id} job={job} onClose={onClose} onUndone={onUndone} />}
    </Modal>
  )
}

function Effect({ icon, color, children }: { icon: ReactNode; color: string; children: ReactNode }) {
  return (
    <List.Item
      icon={
        <ThemeIcon color={color} variant="light" size={28} radius="xl">
          {icon}
        </ThemeIcon>
      }
    >
      <Text size="sm" lh="28px" component="div">
        {children}
      </Text>
    </List.Item>
  )
}

function UndoBody({ job, onClose, onUndone }: { job: UndoTarget; onClose: () => void; onUndone: () => void }) {
  const { t, lang, plural } = useI18n()
  const [{ data, fetching, error }, refetch] = useQuery({
    query: UndoPreviewQuery,
    variables: { jobId: job.id },
    requestPolicy: 'network-only',
  })
  const [skip, setSkip] = useState(false)
  const [{ fetching: undoing, error: undoError }, undo] = useMutation(UndoImportMutation)
  const [conflictNotice, setConflictNotice] = useState(false)
  const p = data?.undoPreview ?? null
  const reload = () => refetch({ requestPolicy: 'network-only' })

  const cancel = (
    <Button variant="default" onClick={onClose}>
      {t(p && !p.possible ? 'result.close' : 'common.cancel')}
    </Button>
  )

  if (!p) {
    return (
      <Stack gap="md">
        {error ? <ErrorAlert error={error} title={t('undo.previewFailed')} onRetry={reload} /> : <Loading label={t('undo.loading')} />}
        <Group justify="flex-end">{cancel}</Group>
      </Stack>
    )
  }

  if (!p.possible) {
    return (
      <Stack gap="md">
        <Alert color="gray" icon={<IconInfoCircle aria-hidden />} title={t('undo.impossible')}>
          {(lang === 'en' ? p.reasonEn : p.reason) ?? ''}
        </Alert>
        <Group justify="flex-end">{cancel}</Group>
      </Stack>
    )
  }

  const conflicts = p.conflicts
  const nothing =
    p.reactivate + p.removeAdded + p.restoreUpdated + p.groupsJoined + p.groupsLeft === 0 && p.removeClasses.length === 0
  const canConfirm = !nothing && (conflicts.length === 0 || skip)
  const stateError = findError(undoError, 'INVALID_STATE', 'NOT_FOUND')

  async function confirm() {
    setConflictNotice(false)
    const res = await undo(
      { jobId: job.id, skipConflicts: conflicts.length > 0 && skip },
      // Rosters, classes and the archive change with the undo, not only the history.
      { additionalTypenames: ['Account', 'Class', 'ImportJob'] },
    )
    if (res.data?.undoImport) {
      notifications.show({ color: 'teal', message: t('undo.done', { file: job.fileName }) })
      onUndone()
      onClose()
      return
    }
    if (findError(res.error, 'INVALID_STATE', 'NOT_FOUND')) onUndone() // the history is out of date
    else if (findError(res.error, 'UNDO_CONFLICT')) {
      // Accounts changed between the preview and the confirmation: show the new list.
      setConflictNotice(true)
      setSkip(false)
      reload()
    }
  }

  return (
    <Stack gap="md">
      <Text size="sm">{t('undo.intro')}</Text>
      {nothing ? (
        <Alert color="gray" icon={<IconInfoCircle aria-hidden />}>
          {t('undo.nothing')}
        </Alert>
      ) : (
        <List spacing="xs" center aria-label={t('undo.effects')}>
          {p.reactivate > 0 && (
            <Effect icon={<IconUserCheck size={16} aria-hidden />} color="teal">
              {plural('undo.reactivate', p.reactivate)}
            </Effect>
          )}
          {p.restoreUpdated > 0 && (
            <Effect icon={<IconRestore size={16} aria-hidden />} color="blue">
              {plural('undo.restoreUpdated', p.restoreUpdated)}
            </Effect>
          )}
          {p.removeAdded > 0 && (
            <Effect icon={<IconTrash size={16} aria-hidden />} color="orange">
              {plural('undo.removeAdded', p.removeAdded)}
            </Effect>
          )}
          {p.groupsJoined > 0 && (
            <Effect icon={<IconRestore size={16} aria-hidden />} color="blue">
              {plural('undo.groupsJoined', p.groupsJoined)}
            </Effect>
          )}
          {p.groupsLeft > 0 && (
            <Effect icon={<IconTrash size={16} aria-hidden />} color="gray">
              {plural('undo.groupsLeft', p.groupsLeft)}
            </Effect>
          )}
          {p.removeClasses.length > 0 && (
            <Effect icon={<IconTrash size={16} aria-hidden />} color="gray">
              {plural('undo.removeClasses', p.removeClasses.length)}{' '}
              {p.removeClasses.map((c) => (
                <Badge key={c} variant="light" color="gray" tt="none" mr={4}>
                  {c}
                </Badge>
              ))}
            </Effect>
          )}
        </List>
      )}

      {conflictNotice && (
        <Alert color="yellow" icon={<IconAlertTriangle aria-hidden />} role="alert">
          {t('undo.conflicts.changed')}
        </Alert>
      )}
      {conflicts.length > 0 && (
        <Alert
          color="yellow"
          variant="light"
          icon={<IconAlertTriangle aria-hidden />}
          title={plural('undo.conflicts.title', conflicts.length)}
        >
          <Stack gap="sm">
            <Text size="sm">{t('undo.conflicts.intro')}</Text>
            <ScrollArea.Autosize mah={176} type="auto">
              <Table verticalSpacing={4} aria-label={t('undo.conflicts.table')} bg="white">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">{t('roster.col.key')}</Table.Th>
                    <Table.Th scope="col">{t('roster.col.name')}</Table.Th>
                    <Table.Th scope="col">{t('undo.conflicts.reason')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {conflicts.map((c) => (
                    <Table.Tr key={c.accountId}>
                      <Table.Td>{c.key}</Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{c.name}</Table.Td>
                      <Table.Td>{lang === 'en' ? c.reasonEn : c.reason}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollArea.Autosize>
            <Checkbox
              checked={skip}
              onChange={(e) => setSkip(e.currentTarget.checked)}
              label={plural('undo.skipConflicts', conflicts.length)}
            />
          </Stack>
        </Alert>
      )}

      {undoError && !findError(undoError, 'UNDO_CONFLICT') && (
        <ErrorAlert error={undoError} title={t('undo.failed')} onRetry={stateError ? undefined : confirm} />
      )}
      <Group justify="flex-end">
        {cancel}
        <Button
          color="orange"
          leftSection={<IconArrowBackUp size={18} aria-hidden />}
          disabled={!canConfirm || Boolean(stateError)}
          loading={undoing || (fetching && !data)}
          onClick={() => void confirm()}
        >
          {t('undo.confirm')}
        </Button>
      </Group>
    </Stack>
  )
}
