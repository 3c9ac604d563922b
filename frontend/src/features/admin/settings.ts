import type { I18n } from '../../i18n'

/** The school's settings as the form edits them. */
export interface Settings {
  archiveThreshold: number
  archivedRetentionDays: number
  jobDataRetentionDays: number
  auditRetentionDays: number
}

/** The limits the form checks before the server does (the same as internal/retention's). */
export const settingLimits = {
  archiveThreshold: { min: 0, max: 100 },
  archivedRetentionDays: { min: 30, max: 3650 },
  jobDataRetentionDays: { min: 1, max: 365 },
  auditRetentionDays: { min: 30, max: 3650 },
} as const

/** "≈ 2 jaar" / "≈ 3 maanden" next to a number of days; nothing below a month. */
export function daysInWords(days: number, { t, lang, plural }: Pick<I18n, 't' | 'lang'> & Partial<Pick<I18n, 'plural'>>): string | null {
  if (!Number.isFinite(days) || days < 31) return null
  const fmt = new Intl.NumberFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', { maximumFractionDigits: 1 })
  if (days >= 365) return t('settings.aboutYears', { n: fmt.format(Math.round((days / 365) * 10) / 10) })
  const months = Math.round(days / 30.44)
  // "≈ 1 maand", not "≈ 1 maanden" (issue 17).
  return plural ? plural('settings.aboutMonths', months) : t('settings.aboutMonths.other', { n: fmt.format(months) })
}
