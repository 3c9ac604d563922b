import { ActionIcon, AppShell, Burger, Button, Group, NavLink, Select, Stack, Text, Title } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { IconKey, IconLogout, IconSchool, IconUserCircle } from '@tabler/icons-react'
import { lazy, Suspense } from 'react'
import { Link, Navigate, Route, Routes, useLocation } from 'react-router'
import { displayName, useAuth, useViewer } from './auth/context'
import { PasswordPage } from './auth/ChangePasswordPage'
import { homeFor, navFor, type NavItem } from './auth/roles'
import { ErrorAlert } from './components/ErrorAlert'
import { useFocusHeadingOn } from './components/focus'
import { LanguageToggle } from './components/LanguageToggle'
import { Loading } from './components/Loading'
import { mainContentId, SkipLink } from './components/SkipLink'
import type { AccountRole } from './gql/graphql'
import { useI18n } from './i18n'
import { useSchool } from './school/SchoolProvider'

// Every page is its own chunk, loaded when its route is first opened: the sign-in page and the
// import wizard do not wait for the code of pages the person may never open (issue 17).
const AdminPage = lazy(() => import('./features/admin/AdminPage').then((m) => ({ default: m.AdminPage })))
const HistoryPage = lazy(() => import('./features/history/HistoryPage').then((m) => ({ default: m.HistoryPage })))
const ImportWizard = lazy(() => import('./features/import/ImportWizard').then((m) => ({ default: m.ImportWizard })))
const MyDataPage = lazy(() => import('./features/pupil/MyDataPage').then((m) => ({ default: m.MyDataPage })))
const ArchivePage = lazy(() => import('./features/roster/ArchivePage').then((m) => ({ default: m.ArchivePage })))
const ClassesPage = lazy(() => import('./features/roster/ClassesPage').then((m) => ({ default: m.ClassesPage })))
const TeacherGroupsPage = lazy(() =>
  import('./features/teacher/TeacherGroupsPage').then((m) => ({ default: m.TeacherGroupsPage })),
)

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
  // A new page (its first path segment changes) puts focus on its heading, as a page load would
  // put it at the top; moving within a page (a class of /klassen, a job of /import) leaves focus
  // to the page itself.
  const mainRef = useFocusHeadingOn<HTMLElement>(pathname.split('/')[1] ?? '')

  let main: React.ReactNode
  if (error && !school) main = <ErrorAlert error={error} title={t('school.loadFailed')} onRetry={retry} />
  else if (!school && fetching) main = <Loading />
  else if (!school) main = <Text>{t('school.none')}</Text>
  else
    main = (
      <Suspense fallback={<Loading />}>
        <RoleRoutes role={viewer.role} />
      </Suspense>
    )

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
    <>
    <SkipLink />
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
      <AppShell.Main id={mainContentId} ref={mainRef} tabIndex={-1} style={{ outline: 'none' }}>
        {main}
      </AppShell.Main>
    </AppShell>
    </>
  )
}
