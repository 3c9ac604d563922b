import { Alert, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core'
import { IconAlertTriangle, IconInfoCircle, IconLogin } from '@tabler/icons-react'
import { useRef, useState, type FormEvent, type KeyboardEvent } from 'react'
import type { LoginErrorCode, LoginResult } from '../api/session'
import { useI18n, type MessageKey } from '../i18n'
import type { SignedOutReason } from './context'

const errorKeys: Record<LoginErrorCode, MessageKey> = {
  BAD_LOGIN: 'login.error.BAD_LOGIN',
  LOCKED: 'login.error.LOCKED',
  NETWORK: 'error.network',
  SERVER: 'login.error.SERVER',
}

/**
 * The sign-in form: username or e-mail address and password. Errors are announced (role=alert)
 * and tied to the fields; after a wrong password the focus returns to the emptied password field.
 */
export function LoginForm({
  onSubmit,
  notice,
}: {
  onSubmit: (username: string, password: string) => Promise<LoginResult>
  notice?: SignedOutReason
}) {
  const { t } = useI18n()
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [missing, setMissing] = useState<{ username?: boolean; password?: boolean }>({})
  const [error, setError] = useState<LoginErrorCode | null>(null)
  const [busy, setBusy] = useState(false)
  const [capsLock, setCapsLock] = useState(false)
  const usernameRef = useRef<HTMLInputElement>(null)
  const passwordRef = useRef<HTMLInputElement>(null)

  async function submit(e: FormEvent) {
    e.preventDefault()
    const m = { username: username.trim() === '', password: password === '' }
    setMissing(m)
    if (m.username || m.password) {
      setError(null)
      ;(m.username ? usernameRef : passwordRef).current?.focus()
      return
    }
    setBusy(true)
    setError(null)
    const result = await onSubmit(username.trim(), password)
    setBusy(false)
    if (result.ok) return
    setError(result.code)
    if (result.code === 'BAD_LOGIN') {
      setPassword('')
      passwordRef.current?.focus()
    }
  }

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => setCapsLock(e.getModifierState?.('CapsLock') ?? false)

  return (
    <form onSubmit={submit} noValidate aria-label={t('login.title')}>
      <Stack gap="md">
        {notice && !error && (
          <Alert color={notice === 'expired' ? 'yellow' : 'teal'} icon={<IconInfoCircle aria-hidden />} role="status">
            {t(notice === 'expired' ? 'login.notice.expired' : 'login.notice.signedOut')}
          </Alert>
        )}
        {error && (
          <Alert color="red" icon={<IconAlertTriangle aria-hidden />} role="alert" id="login-error" title={t('login.error.title')}>
            {t(errorKeys[error])}
          </Alert>
        )}
        <TextInput
          ref={usernameRef}
          label={t('login.username')}
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          // Both fields are obviously needed: required for assistive technology, no asterisk.
          required
          withAsterisk={false}
          value={username}
          onChange={(e) => {
            setUsername(e.currentTarget.value)
            if (missing.username) setMissing((m) => ({ ...m, username: false }))
          }}
          error={missing.username ? t('login.username.missing') : undefined}
          // The first field people need; the page has nothing else to do.
          autoFocus
        />
        <PasswordInput
          ref={passwordRef}
          label={t('login.password')}
          name="password"
          autoComplete="current-password"
          required
          withAsterisk={false}
          value={password}
          onChange={(e) => {
            setPassword(e.currentTarget.value)
            if (missing.password) setMissing((m) => ({ ...m, password: false }))
          }}
          onKeyDown={onKey}
          onKeyUp={onKey}
          error={missing.password ? t('login.password.missing') : error === 'BAD_LOGIN'}
          description={capsLock ? t('login.capsLock') : undefined}
          // Mantine's PasswordInput leaves aria-invalid to us.
          aria-invalid={missing.password || error === 'BAD_LOGIN' || undefined}
          visibilityToggleButtonProps={{ 'aria-label': t('login.password.show') }}
        />
        <Button type="submit" loading={busy} leftSection={<IconLogin size={18} aria-hidden />} fullWidth>
          {t('login.submit')}
        </Button>
        <Text size="sm" c="dimmed">
          {t('login.forgot')}
        </Text>
      </Stack>
    </form>
  )
}
