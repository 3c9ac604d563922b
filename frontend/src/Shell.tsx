import { ActionIcon, AppShell, Burger, Button, Group, NavLink, Select, Stack, Text, Title } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { IconKey, IconLogout, IconSchool, IconUserCircle } from '@tabler/icons-react'
import { Link, Navigate, Route, Routes, useLocation } from 'react-router'
import { displayName, useAuth, useViewer } from './auth/context'
import { PasswordPage } from './auth/ChangePasswordPage'
import { homeFor, navFor, type NavItem } from './auth/roles'
import { ErrorAlert } from './components/ErrorAlert'
import { LanguageToggle } from './components/LanguageToggle'
import { Loading } from './components/Loading'
import { AdminPage } from './features/admin/AdminPage'
import { HistoryPage } from './features/history/HistoryPage'
import { ImportWizard } from './features/import/ImportWizard'
import { MyDataPage } from './features/pupil/MyDataPage'
import { ArchivePage } from './features/roster/ArchivePage'
import { ClassesPage } from './features/roster/ClassesPage'
import { TeacherGroupsPage } from './features/teacher/TeacherGroupsPage'
import type { AccountRole } from './gql/graphql'
import { useI18n } from './i18n'
import { useSchool } from './school/SchoolProvider'

/** The pages of each role; what a role may not use is not routed at all. */
function RoleRoutes({ role }: { role: AccountRole | null | undefined }) {
  const { t } = useI18n()
  const home = homeFor(role)
  const common = [
    <Route key="pw" path="/wachtwoord" element={<PasswordPage />} />,
    <Route key="root" path="/" element={<Navigate to={home} replace />} />,
  ]
  switch (role) {
    case 'ADMIN':
      return (
        <Routes>
          {common}
          <Route path="/import" element={<ImportWizard />} />
          <Route path="/import/:jobId" element={<ImportWizard />} />
          <Route path="/klassen" element={<ClassesPage mode="admin" />} />
          <Route path="/klassen/:classId" element={<ClassesPage mode="admin" />} />
          <Route path="/archief" element={<ArchivePage />} />
          <Route path="/geschiedenis" element={<HistoryPage />} />
          <Route path="/beheer" element={<Navigate to="/beheer/instellingen" replace />} />
          <Route path="/beheer/:tab" element={<AdminPage />} />
          <Route path="*" element={<Text>{t('notFound')}</Text>} />
        </Routes>
      )
    case 'TEACHER':
      return (
        <Routes>
          {common}
          <Route path="/mijn-klassen" element={<TeacherGroupsPage />} />
          <Route path="/mijn-klassen/:classId" element={<TeacherGroupsPage />} />
          <Route path="*" element={<Navigate to={home} replace />} />
        </Routes>
      )
    case 'PUPIL':
      return (
        <Routes>
          {common}
          <Route path="/mijn-gegevens" element={<MyDataPage />} />
          <Route path="*" element={<Navigate to={home} replace />} />
        </Routes>
      )
    default:
      return (
        <Routes>
          {common}
          <Route path="*" element={<Navigate to={home} replace />} />
        </Routes>
      )
  }
}

/**
 * The app behind the login: header (name, signed-in account and school, language, Afmelden),
 * the navigation of the viewer's role, and the routed page.
 */
export function Shell() {
  const { t } = useI18n()
  const { signOut } = useAuth()
  const viewer = useViewer()
  const [opened, { toggle, close }] = useDisclosure()
  const { pathname } = useLocation()
  const { school, schools, setSchoolId, fetching, error, retry } = useSchool()
  const nav = navFor(viewer.role)

  let main: React.ReactNode
  if (error && !school) main = <ErrorAlert error={error} title={t('school.loadFailed')} onRetry={retry} />
  else if (!school && fetching) main = <Loading />
  else if (!school) main = <Text>{t('school.none')}</Text>
  else main = <RoleRoutes role={viewer.role} />

  const navLink = (to: string, label: string, Icon: NavItem['icon']) => {
    const active = pathname === to || pathname.startsWith(`${to}/`)
    return (
      <NavLink
        key={to}
        component={Link}
        to={to}
        label={label}
        leftSection={<Icon size={18} aria-hidden />}
        active={active}
        aria-current={active ? 'page' : undefined}
        onClick={close}
      />
    )
  }

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
            <Title order={1} fz={{ base: 18, sm: 24 }} style={{ whiteSpace: 'nowrap' }}>
              {t('app.title')}
            </Title>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {schools.length > 1 && (
              <Select
                aria-label={t('school.choose')}
                data={schools.map((s) => ({ value: s.id, label: `${s.name} (${s.brin})` }))}
                value={school?.id ?? null}
                onChange={(v) => v && setSchoolId(v)}
                allowDeselect={false}
                leftSection={<IconSchool size={16} aria-hidden />}
                w={{ base: 180, sm: 260 }}
              />
            )}
            <Group gap={8} wrap="nowrap" visibleFrom="sm" aria-label={t('auth.signedInAs')} role="group">
              <IconUserCircle size={28} stroke={1.5} aria-hidden color="var(--mantine-color-dimmed)" />
              <Stack gap={0}>
                <Text size="sm" fw={600} lh={1.25} style={{ whiteSpace: 'nowrap' }} data-testid="viewer-name">
                  {displayName(viewer)}
                </Text>
                <Text size="xs" c="dimmed" lh={1.25} style={{ whiteSpace: 'nowrap' }} data-testid="viewer-school">
                  {schools.length > 1 ? t(`role.${viewer.role ?? 'ADMIN'}`) : `${viewer.school.name} (${viewer.school.brin})`}
                </Text>
              </Stack>
            </Group>
            <LanguageToggle />
            <Button
              variant="default"
              size="xs"
              leftSection={<IconLogout size={16} aria-hidden />}
              onClick={() => void signOut()}
              visibleFrom="sm"
            >
              {t('auth.signOut')}
            </Button>
            <ActionIcon variant="default" size="lg" onClick={() => void signOut()} hiddenFrom="sm" aria-label={t('auth.signOut')}>
              <IconLogout size={18} aria-hidden />
            </ActionIcon>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label={t('nav.aria')}>
        {/* On a phone the header has no room for who is signed in; the opened menu shows it. */}
        <AppShell.Section hiddenFrom="sm" pb="sm" mb="sm" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
          <Text size="sm" fw={600}>
            {displayName(viewer)}
          </Text>
          <Text size="xs" c="dimmed">
            {viewer.school.name} ({viewer.school.brin})
          </Text>
        </AppShell.Section>
        <AppShell.Section grow>{nav.map((n) => navLink(n.to, t(n.key), n.icon))}</AppShell.Section>
        <AppShell.Section pt="sm" style={{ borderTop: '1px solid var(--mantine-color-gray-3)' }}>
          {navLink('/wachtwoord', t('nav.password'), IconKey)}
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main>{main}</AppShell.Main>
    </AppShell>
  )
}
