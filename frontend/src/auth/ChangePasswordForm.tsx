import { Button, Group, PasswordInput, Stack } from '@mantine/core'
import { IconCheck } from '@tabler/icons-react'
import { useState, type FormEvent } from 'react'
import { useMutation } from 'urql'
import { ErrorAlert } from '../components/ErrorAlert'
import { useI18n } from '../i18n'
import { ChangePasswordMutation } from './documents'

/** The server's minimum (auth.MinPasswordLength); checked here first so people learn it at once. */
export const minPasswordLength = 10

/**
 * Current password, new password twice. After a one-time password (oneTime) the first field is
 * labelled as the password the admin gave.
 */
export function ChangePasswordForm({ oneTime, onDone }: { oneTime?: boolean; onDone: () => void }) {
  const { t } = useI18n()
  const [old, setOld] = useState('')
  const [next, setNext] = useState('')
  const [repeat, setRepeat] = useState('')
  const [checked, setChecked] = useState(false)
  const [{ fetching, error }, change] = useMutation(ChangePasswordMutation)

  const problems = {
    old: old === '' ? t('password.old.missing') : undefined,
    next:
      next.length < minPasswordLength
        ? t('password.new.short', { n: minPasswordLength })
        : next === old
          ? t('password.new.same')
          : undefined,
    repeat: repeat !== next ? t('password.repeat.mismatch') : undefined,
  }

  async function submit(e: FormEvent) {
    e.preventDefault()
    setChecked(true)
    if (problems.old || problems.next || problems.repeat) {
      const first = problems.old ? 'password-old' : problems.next ? 'password-new' : 'password-repeat'
      document.getElementById(first)?.focus()
      return
    }
    const res = await change({ oldPassword: old, newPassword: next })
    if (res.data?.changePassword) onDone()
  }

  return (
    <form onSubmit={submit} noValidate aria-label={t('password.title')}>
      <Stack gap="md">
        {error && <ErrorAlert error={error} title={t('password.failed')} />}
        <PasswordInput
          id="password-old"
          label={t(oneTime ? 'password.old.oneTime' : 'password.old')}
          autoComplete="current-password"
          required
          withAsterisk={false}
          value={old}
          onChange={(e) => setOld(e.currentTarget.value)}
          error={checked && problems.old}
          visibilityToggleButtonProps={{ 'aria-label': t('login.password.show') }}
          autoFocus
        />
        <PasswordInput
          id="password-new"
          label={t('password.new')}
          description={t('password.new.hint', { n: minPasswordLength })}
          autoComplete="new-password"
          required
          withAsterisk={false}
          value={next}
          onChange={(e) => setNext(e.currentTarget.value)}
          error={checked && problems.next}
          visibilityToggleButtonProps={{ 'aria-label': t('login.password.show') }}
        />
        <PasswordInput
          id="password-repeat"
          label={t('password.repeat')}
          autoComplete="new-password"
          required
          withAsterisk={false}
          value={repeat}
          onChange={(e) => setRepeat(e.currentTarget.value)}
          error={checked && problems.repeat}
          visibilityToggleButtonProps={{ 'aria-label': t('login.password.show') }}
        />
        <Group justify="flex-end">
          <Button type="submit" loading={fetching} leftSection={<IconCheck size={18} aria-hidden />}>
            {t('password.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  )
}
