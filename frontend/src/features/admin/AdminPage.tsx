import { Stack, Tabs, Text, Title } from '@mantine/core'
import { IconFileExport, IconKey, IconLogin, IconSettings, IconUsers } from '@tabler/icons-react'
import { Navigate, useNavigate, useParams } from 'react-router'
import { useI18n, type MessageKey } from '../../i18n'
import { RosterExportPanel } from './RosterExportPanel'
import { SettingsPanel } from './SettingsPanel'
import { SsoPanel } from './SsoPanel'
import { TeachersPanel } from './TeachersPanel'
import { TokensPanel } from './TokensPanel'

const tabs: { value: string; key: MessageKey; icon: typeof IconKey }[] = [
  { value: 'instellingen', key: 'admin.tab.settings', icon: IconSettings },
  { value: 'docenten', key: 'admin.tab.teachers', icon: IconUsers },
  { value: 'api-sleutels', key: 'admin.tab.tokens', icon: IconKey },
  { value: 'exporteren', key: 'admin.tab.export', icon: IconFileExport },
  { value: 'inloggen', key: 'admin.tab.sso', icon: IconLogin },
]

/** Beheer: the school's settings, its teachers, its API tokens and the roster export, one tab each (in the URL). */
export function AdminPage() {
  const { t } = useI18n()
  const { tab } = useParams()
  const navigate = useNavigate()
  if (!tabs.some((x) => x.value === tab)) return <Navigate to="/beheer/instellingen" replace />
  return (
    <Stack gap="md">
      <div>
        <Title order={1} size="h2">
          {t('nav.admin')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('admin.intro')}
        </Text>
      </div>
      <Tabs value={tab} onChange={(v) => v && navigate(`/beheer/${v}`)} keepMounted={false}>
        <Tabs.List mb="md">
          {tabs.map((x) => (
            <Tabs.Tab key={x.value} value={x.value} leftSection={<x.icon size={16} aria-hidden />}>
              {t(x.key)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="instellingen">
          <SettingsPanel />
        </Tabs.Panel>
        <Tabs.Panel value="docenten">
          <TeachersPanel />
        </Tabs.Panel>
        <Tabs.Panel value="api-sleutels">
          <TokensPanel />
        </Tabs.Panel>
        <Tabs.Panel value="exporteren">
          <RosterExportPanel />
        </Tabs.Panel>
        <Tabs.Panel value="inloggen">
          <SsoPanel />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  )
}
