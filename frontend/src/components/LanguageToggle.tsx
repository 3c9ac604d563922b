import { SegmentedControl } from '@mantine/core'
import { useI18n, type Lang } from '../i18n'

/** NL | EN, remembered in the browser. */
export function LanguageToggle() {
  const { t, lang, setLang } = useI18n()
  return (
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
  )
}
