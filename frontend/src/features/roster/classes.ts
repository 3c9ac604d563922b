import type { ClassKind } from '../../gql/graphql'
import type { I18n } from '../../i18n'

/** A class's line under its name: "havo/vwo · leerjaar 1" for a stamklas, "lesgroep · Nederlands" for a lesgroep. */
export function classDescription(
  c: { kind: ClassKind; subject: string; level?: string | null; year?: number | null },
  { t }: Pick<I18n, 't'>,
): string {
  if (c.kind === 'LESGROEP') return [t('roster.kindOne.LESGROEP'), c.subject || null].filter(Boolean).join(' · ')
  return [c.level, c.year ? t('roster.yearN', { n: c.year }) : null].filter(Boolean).join(' · ')
}

/** A class's heading: "Klas 1A" or "Lesgroep h4a.ne1". */
export function classTitle(c: { kind: ClassKind; name: string }, { t }: Pick<I18n, 't'>): string {
  return t(c.kind === 'LESGROEP' ? 'roster.groupTitle' : 'roster.classTitle', { name: c.name })
}
