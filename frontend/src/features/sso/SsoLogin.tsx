import { Alert, Button, Divider, Stack } from '@mantine/core'
import { IconAlertTriangle, IconBuildingBank } from '@tabler/icons-react'
import { useEffect, useState } from 'react'
import { useI18n } from '../../i18n'
import { fetchSsoOption, ssoErrorKey, type SsoOption } from './sso'

/**
 * The login page's single sign-on: a button "Inloggen met <label>" when the school (from the
 * link, or remembered on this device) has it switched on, and the reason when a sign-in through
 * the provider came back refused (?sso_error=CODE).
 */
export function SsoLogin({ school, error }: { school: string; error: string | null }) {
  const { t } = useI18n()
  const [option, setOption] = useState<SsoOption | null>(null)
  useEffect(() => {
    const ctl = new AbortController()
    fetchSsoOption(school, ctl.signal).then((o) => {
      if (!ctl.signal.aborted) setOption(o)
    })
    return () => ctl.abort()
  }, [school])
  const errorKey = ssoErrorKey(error)
  if (!option && !errorKey) return null
  return (
    <Stack gap="md" mb="md">
      {errorKey && (
        <Alert color="red" icon={<IconAlertTriangle aria-hidden />} role="alert" title={t('sso.error.title')}>
          {t(errorKey)}
        </Alert>
      )}
      {option && (
        <>
          <Button component="a" href={option.startUrl} variant="default" fullWidth leftSection={<IconBuildingBank size={18} aria-hidden />}>
            {option.label ? t('sso.button', { label: option.label }) : t('sso.button.plain')}
          </Button>
          <Divider label={t('sso.or')} labelPosition="center" />
        </>
      )}
    </Stack>
  )
}
