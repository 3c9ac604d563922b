import { Center } from '@mantine/core'
import { lazy, Suspense } from 'react'
import { Navigate, useLocation } from 'react-router'
import { useAuth } from './auth/context'
import { ForcedPasswordChange } from './auth/ChangePasswordPage'
import { LoginPage } from './auth/LoginPage'
import { PublicLayout } from './auth/PublicLayout'
import { homeFor, isRolePage, mayOpen } from './auth/roles'
import { ErrorAlert } from './components/ErrorAlert'
import { Loading } from './components/Loading'
import { useI18n } from './i18n'
import { SchoolProvider } from './school/SchoolProvider'

// The app behind the sign-in is loaded once someone is signed in: the sign-in page's first load
// carries only what it shows (issue 17).
const Shell = lazy(() => import('./Shell').then((m) => ({ default: m.Shell })))

/** The login page's address. */
export const loginPath = '/inloggen'

/** Where the person was going, carried through the login page in the location state. */
interface LoginState {
  from?: string
}

/**
 * The gate: who is signed in decides what renders. Nobody: the login page (remembering the
 * address asked for). A one-time password: choosing a new one. Otherwise the app of the role.
 */
export function App() {
  const { t } = useI18n()
  const auth = useAuth()
  const location = useLocation()

  if (auth.status === 'loading')
    return (
      <Center mih="100vh">
        <Loading />
      </Center>
    )
  if (auth.status === 'error')
    return (
      <PublicLayout title={t('app.title')}>
        <ErrorAlert error={auth.error} onRetry={() => void auth.refresh()} />
      </PublicLayout>
    )

  const viewer = auth.viewer
  if (location.pathname === loginPath) {
    if (!viewer) return <LoginPage />
    const from = (location.state as LoginState | null)?.from
    const target = from && mayOpen(viewer.role, from.split(/[?#]/)[0]) ? from : homeFor(viewer.role)
    return <Navigate to={target} replace />
  }
  if (!viewer) {
    // After signing out on purpose the next person starts at their own home page.
    const state: LoginState | null =
      auth.signedOutReason === 'signedOut' ? null : { from: location.pathname + location.search }
    return <Navigate to={loginPath} replace state={state} />
  }
  // Another role's page (an old bookmark, a shared computer): go to this role's start page.
  if (isRolePage(location.pathname) && !mayOpen(viewer.role, location.pathname))
    return <Navigate to={homeFor(viewer.role)} replace />
  if (viewer.mustChangePassword) return <ForcedPasswordChange />
  return (
    <SchoolProvider>
      <Suspense
        fallback={
          <Center mih="100vh">
            <Loading />
          </Center>
        }
      >
        <Shell />
      </Suspense>
    </SchoolProvider>
  )
}
