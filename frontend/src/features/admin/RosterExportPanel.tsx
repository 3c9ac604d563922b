import { Button, Paper, Stack, Switch, Text, Title } from '@mantine/core'
import { IconDownload } from '@tabler/icons-react'
import { useState } from 'react'
import { useI18n } from '../../i18n'
import { useSchool } from '../../school/SchoolProvider'
import { rosterExportUrl } from './rosterExport'

/** Beheer → Exporteren: the school's roster as a OneRoster 1.2 zip, for the chosen school. */
export function RosterExportPanel() {
  const { school } = useSchool()
  const { t } = useI18n()
  if (!school) return <Text c="dimmed">{t('school.none')}</Text>
  return <RosterExport schoolId={school.id} />
}

/** The download itself: what the zip holds, whether archived accounts come along, the button. */
export function RosterExport({ schoolId }: { schoolId: string }) {
  const { t } = useI18n()
  const [archived, setArchived] = useState(false)
  return (
    <Paper withBorder p="md" maw={720}>
      <Stack gap="sm" align="flex-start">
        <Title order={2} size="h4">
          {t('rosterExport.title')}
        </Title>
        <Text size="sm">{t('rosterExport.contents')}</Text>
        <Switch
          checked={archived}
          onChange={(e) => setArchived(e.currentTarget.checked)}
          label={t('rosterExport.archived')}
          description={t('rosterExport.archived.description')}
        />
        <Button
          component="a"
          href={rosterExportUrl(schoolId, archived)}
          download
          leftSection={<IconDownload size={16} aria-hidden />}
        >
          {t('rosterExport.button')}
        </Button>
        <Text size="xs" c="dimmed">
          {t('rosterExport.note')}
        </Text>
      </Stack>
    </Paper>
  )
}
