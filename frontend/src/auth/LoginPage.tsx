import { useI18n } from '../i18n'
import { useAuth } from './context'
import { LoginForm } from './LoginForm'
import { PublicLayout } from './PublicLayout'

/**
 * The login page (/inloggen). Where the person was going travels in the location state; once
 * signed in, the app's routes send them there (or to their role's start page).
 */
export function LoginPage() {
  const { t } = useI18n()
  const { signIn, signedOutReason } = useAuth()
  return (
    <PublicLayout title={t('login.title')} intro={t('login.intro')}>
      <LoginForm onSubmit={signIn} notice={signedOutReason} />
    </PublicLayout>
  )
}
