import { AppShell, Burger, Group, NavLink, SegmentedControl, Select, Text, Title } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { IconArchive, IconFileImport, IconHistory, IconSchool, IconUsers } from '@tabler/icons-react'
import { Link, Navigate, Route, Routes, useLocation } from 'react-router'
import { ErrorAlert } from './components/ErrorAlert'
import { Loading } from './components/Loading'
import { HistoryPage } from './features/history/HistoryPage'
import { ImportWizard } from './features/import/ImportWizard'
import { ArchivePage } from './features/roster/ArchivePage'
import { ClassesPage } from './features/roster/ClassesPage'
import { useI18n, type Lang, type MessageKey } from './i18n'
import { useSchool } from './school/SchoolProvider'

const nav: { to: string; key: MessageKey; icon: typeof IconUsers }[] = [
  { to: '/import', key: 'nav.import', icon: IconFileImport },
  { to: '/klassen', key: 'nav.classes', icon: IconUsers },
  { to: '/archief', key: 'nav.archive', icon: IconArchive },
  { to: '/geschiedenis', key: 'nav.history', icon: IconHistory },
]

/** The app shell: header (title, school, language), navigation, and the routed page. */
export function App() {
  const { t, lang, setLang } = useI18n()
  const [opened, { toggle, close }] = useDisclosure()
  const { pathname } = useLocation()
  const { school, schools, setSchoolId, fetching, error, retry } = useSchool()

  let main: React.ReactNode
  if (error && !school) main = <ErrorAlert error={error} title={t('school.loadFailed')} onRetry={retry} />
  else if (!school && fetching) main = <Loading />
  else if (!school) main = <Text>{t('school.none')}</Text>
  else
    main = (
      <Routes>
        <Route path="/" element={<Navigate to="/import" replace />} />
        <Route path="/import" element={<ImportWizard />} />
        <Route path="/import/:jobId" element={<ImportWizard />} />
        <Route path="/klassen" element={<ClassesPage />} />
        <Route path="/klassen/:classId" element={<ClassesPage />} />
        <Route path="/archief" element={<ArchivePage />} />
        <Route path="/geschiedenis" element={<HistoryPage />} />
        <Route path="*" element={<Text>{t('notFound')}</Text>} />
      </Routes>
    )

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 220, breakpoint: 'md', collapsed: { mobile: !opened } }}
      padding={{ base: 'sm', sm: 'md' }}
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="md" size="sm" aria-label={t('nav.toggle')} />
            <Title order={1} size="h3" style={{ whiteSpace: 'nowrap' }}>
              {t('app.title')}
            </Title>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {schools.length > 1 ? (
              <Select
                aria-label={t('school.choose')}
                data={schools.map((s) => ({ value: s.id, label: `${s.name} (${s.brin})` }))}
                value={school?.id ?? null}
                onChange={(v) => v && setSchoolId(v)}
                allowDeselect={false}
                leftSection={<IconSchool size={16} aria-hidden />}
                w={{ base: 180, sm: 260 }}
              />
            ) : school ? (
              <Group gap={6} visibleFrom="sm" wrap="nowrap">
                <IconSchool size={18} aria-hidden />
                <Text size="sm" fw={500} style={{ whiteSpace: 'nowrap' }}>
                  {school.name} ({school.brin})
                </Text>
              </Group>
            ) : null}
            <SegmentedControl
              size="xs"
              aria-label={t('lang.choose')}
              value={lang}
              onChange={(v) => setLang(v as Lang)}
              data={[
                { value: 'nl', label: 'NL' },
                { value: 'en', label: 'EN' },
              ]}
            />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label={t('nav.aria')}>
        {nav.map((n) => {
          const active = pathname === n.to || pathname.startsWith(`${n.to}/`)
          return (
            <NavLink
              key={n.to}
              component={Link}
              to={n.to}
              label={t(n.key)}
              leftSection={<n.icon size={18} aria-hidden />}
              active={active}
              aria-current={active ? 'page' : undefined}
              onClick={close}
            />
          )
        })}
      </AppShell.Navbar>
      <AppShell.Main>{main}</AppShell.Main>
    </AppShell>
  )
}
