import { Alert, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core'
import { IconAlertTriangle, IconInfoCircle, IconLogin } from '@tabler/icons-react'
import { useRef, useState, type FormEvent, type KeyboardEvent } from 'react'
import type { LoginErrorCode, LoginResult } from '../api/session'
import { useI18n, type MessageKey } from '../i18n'
import type { SignedOutReason } from './context'

const errorKeys: Record<LoginErrorCode, MessageKey> = {
  BAD_LOGIN: 'login.error.BAD_LOGIN',
  LOCKED: 'login.error.LOCKED',
  SCHOOL_REQUIRED: 'login.error.SCHOOL_REQUIRED',
  BUSY: 'login.error.BUSY',
  START_CODE_EXPIRED: 'login.error.START_CODE_EXPIRED',
  NETWORK: 'error.network',
  SERVER: 'login.error.SERVER',
}

/** Where the school of the last successful sign-in on this device is remembered. */
export const schoolStorageKey = 'numo.login.school'

function rememberedSchool(): string {
  try {
    return localStorage.getItem(schoolStorageKey) ?? ''
  } catch {
    return ''
  }
}

/**
 * The sign-in form: username or e-mail address and password, and the school's BRIN code where
 * the server holds several schools. The school field shows when a school is known (from the
 * link's ?school=, or remembered from the last successful sign-in on this device) or when the
 * server asks for it; an installation with one school never shows it. Errors are announced
 * (role=alert) and tied to the fields; after a wrong password the focus returns to the emptied
 * password field.
 */
export function LoginForm({
  onSubmit,
  notice,
  school: schoolFromLink,
}: {
  onSubmit: (username: string, password: string, school: string) => Promise<LoginResult>
  notice?: SignedOutReason
  /** The BRIN code from the link that brought the person here (?school=), if any. */
  school?: string
}) {
  const { t } = useI18n()
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [school, setSchool] = useState(() => (schoolFromLink?.trim() || rememberedSchool()).toUpperCase())
  const [showSchool, setShowSchool] = useState(school !== '')
  const [missing, setMissing] = useState<{ username?: boolean; password?: boolean; school?: boolean }>({})
  const [error, setError] = useState<LoginErrorCode | null>(null)
  const [busy, setBusy] = useState(false)
  const [capsLock, setCapsLock] = useState(false)
  const usernameRef = useRef<HTMLInputElement>(null)
  const passwordRef = useRef<HTMLInputElement>(null)
  const schoolRef = useRef<HTMLInputElement>(null)

  async function submit(e: FormEvent) {
    e.preventDefault()
    const m = { school: showSchool && school.trim() === '', username: username.trim() === '', password: password === '' }
    setMissing(m)
    if (m.school || m.username || m.password) {
      setError(null)
      ;(m.school ? schoolRef : m.username ? usernameRef : passwordRef).current?.focus()
      return
    }
    setBusy(true)
    setError(null)
    const brin = showSchool ? school.trim() : ''
    const result = await onSubmit(username.trim(), password, brin)
    setBusy(false)
    if (result.ok) {
      try {
        if (brin) localStorage.setItem(schoolStorageKey, brin)
      } catch {
        // Private mode: the school is simply asked again next time.
      }
      return
    }
    setError(result.code)
    if (result.code === 'SCHOOL_REQUIRED') {
      setShowSchool(true)
      // The field appears with this render; focus it once it is there.
      setTimeout(() => schoolRef.current?.focus(), 0)
    }
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
            {t(notice === 'expired' ? 'login.notice.expired' : notice === 'ended' ? 'login.notice.ended' : 'login.notice.signedOut')}
          </Alert>
        )}
        {error && (
          <Alert color="red" icon={<IconAlertTriangle aria-hidden />} role="alert" id="login-error" title={t('login.error.title')}>
            {t(errorKeys[error])}
          </Alert>
        )}
        {showSchool && (
          <TextInput
            ref={schoolRef}
            label={t('login.school')}
            description={t('login.school.description')}
            name="school"
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            maxLength={8}
            required
            withAsterisk={false}
            value={school}
            onChange={(e) => {
              setSchool(e.currentTarget.value.toUpperCase())
              if (missing.school) setMissing((m) => ({ ...m, school: false }))
            }}
            error={missing.school ? t('login.school.missing') : error === 'SCHOOL_REQUIRED'}
          />
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
          // The start code of a login letter goes here too: no second form to find.
          description={capsLock ? t('login.capsLock') : t('login.startCode')}
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
