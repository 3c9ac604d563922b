import { useLocation } from 'react-router'
import { useI18n } from '../i18n'
import { SsoLogin } from '../features/sso/SsoLogin'
import { useAuth } from './context'
import { LoginForm, schoolStorageKey } from './LoginForm'
import { PublicLayout } from './PublicLayout'

/**
 * The login page (/inloggen). Where the person was going travels in the location state; once
 * signed in, the app's routes send them there (or to their role's start page). A link may name
 * the school: /inloggen?school=99XX, or any page of the app with ?school=99XX.
 */
export function LoginPage() {
  const { t } = useI18n()
  const { signIn, signedOutReason } = useAuth()
  const location = useLocation()
  const from = (location.state as { from?: string } | null)?.from ?? ''
  const school =
    new URLSearchParams(location.search).get('school') ?? new URLSearchParams(from.split('#')[0].split('?')[1] ?? '').get('school') ?? undefined
  return (
    <PublicLayout title={t('login.title')} intro={t('login.intro')}>
      <SsoLogin school={(school ?? remembered()).trim().toUpperCase()} error={new URLSearchParams(location.search).get('sso_error')} />
      <LoginForm onSubmit={signIn} notice={signedOutReason} school={school} />
    </PublicLayout>
  )
}

/** The school of the last successful sign-in on this device, for the single sign-on button. */
function remembered(): string {
  try {
    return localStorage.getItem(schoolStorageKey) ?? ''
  } catch {
    return ''
  }
}
