import { ActionIcon, Menu, Modal } from '@mantine/core'
import { IconDots, IconDownload, IconKey, IconTrash } from '@tabler/icons-react'
import { useState, type ReactNode } from 'react'
import { useClient } from 'urql'
import { useI18n } from '../../i18n'
import { fullName } from '../../names'
import { ResetPasswordModal, type ResetTarget } from '../admin/ResetPasswordModal'
import { EraseForm } from './EraseForm'
import { downloadPupilData } from './pupilData'
import type { PupilRow } from './PupilsTable'

/**
 * The admin's actions on one pupil of a roster: download their data (AVG right of access), a new
 * one-time password (active pupils), and erasing them for good after typing their name.
 * Returns the row menu to render per row and the dialogs to render once.
 */
export function usePupilActions(onChanged: () => void): { menu: (row: PupilRow) => ReactNode; dialogs: ReactNode } {
  const i18n = useI18n()
  const { t } = i18n
  const client = useClient()
  const [erasing, setErasing] = useState<PupilRow | null>(null)
  const [resetting, setResetting] = useState<ResetTarget | null>(null)

  const menu = (row: PupilRow) => {
    const name = fullName(row)
    return (
      <Menu position="bottom-end" withinPortal shadow="md">
        <Menu.Target>
          <ActionIcon variant="subtle" color="gray" aria-label={t('pupil.actions', { name })}>
            <IconDots size={18} aria-hidden />
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item leftSection={<IconDownload size={16} aria-hidden />} onClick={() => void downloadPupilData(client, row.id, i18n)}>
            {t('pupil.export')}
          </Menu.Item>
          {!row.archivedAt && (
            <Menu.Item leftSection={<IconKey size={16} aria-hidden />} onClick={() => setResetting({ id: row.id, name })}>
              {t('teachers.reset')}
            </Menu.Item>
          )}
          <Menu.Divider />
          <Menu.Item color="red" leftSection={<IconTrash size={16} aria-hidden />} onClick={() => setErasing(row)}>
            {t('pupil.erase')}
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
    )
  }

  const dialogs = (
    <>
      <Modal
        opened={erasing !== null}
        onClose={() => setErasing(null)}
        title={erasing ? t('pupil.erase.title', { name: fullName(erasing) }) : ''}
        size="lg"
      >
        {erasing && (
          <EraseForm
            key={erasing.id}
            pupil={erasing}
            onClose={() => setErasing(null)}
            onErased={() => {
              setErasing(null)
              onChanged()
            }}
            onDownload={() => void downloadPupilData(client, erasing.id, i18n)}
          />
        )}
      </Modal>
      <ResetPasswordModal target={resetting} onClose={() => setResetting(null)} />
    </>
  )
  return { menu, dialogs }
}

