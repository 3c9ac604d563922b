import type { I18n } from '../../i18n'
import type { ImportJobStatus } from '../../gql/graphql'

/** The wizard's steps, in order. */
export const Step = {
  File: 0,
  Mapping: 1,
  Actions: 2,
  Preview: 3,
  Progress: 4,
  Result: 5,
} as const

/** Where a reopened job continues: the first step whose work is not done yet. */
export function stepForStatus(status: ImportJobStatus): number {
  switch (status) {
    case 'UPLOADED':
      return Step.Mapping
    case 'MAPPED':
      return Step.Actions
    case 'PREVIEWED':
      return Step.Preview
    case 'COMMITTING':
      return Step.Progress
    default:
      return Step.Result
  }
}

/** True once a job's plan is being (or was) applied: the steps before it are closed. */
export function isCommitted(status: ImportJobStatus): boolean {
  return status === 'COMMITTING' || status === 'COMMITTED' || status === 'FAILED' || status === 'UNDONE'
}

/**
 * Whole percent done, for the progress bar: rounded down so 100 % means really done,
 * and 0 when the total is not known yet.
 */
export function progressPercent(done: number, total: number): number {
  if (!Number.isFinite(done) || !Number.isFinite(total) || total <= 0 || done <= 0) return 0
  if (done >= total) return 100
  return Math.floor((done * 100) / total)
}

/** "42 %" in Dutch (with a space, as Dutch style writes it), "42%" in English. */
export function formatPercent(percent: number, lang: I18n['lang']): string {
  const n = Math.round(percent)
  return lang === 'nl' ? `${n}\u00a0%` : `${n}%`
}

/** File size in B, kB or MB, with the language's decimal separator. */
export function formatFileSize(bytes: number, lang: I18n['lang']): string {
  const locale = lang === 'nl' ? 'nl-NL' : 'en-GB'
  if (bytes < 1024) return `${bytes} B`
  const fmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 })
  if (bytes < 1024 * 1024) return `${fmt.format(bytes / 1024)} kB`
  return `${fmt.format(bytes / (1024 * 1024))} MB`
}

/** Counts of an import, as the result message reads them. */
export interface Counts {
  added: number
  updated: number
  archived: number
  unchanged: number
  /** In the file, but the action it needs (add or update) was not chosen. */
  skipped?: number
  refused: number
  /** Values kept as stored because the file's value lost letters to "?". */
  kept?: number
  /** Damaged-looking names imported as the file has them. */
  damaged?: number
}

/** "42 toegevoegd, 3 bijgewerkt, 5 gearchiveerd, 2 geweigerd" (plus unchanged and skipped when there are any). */
export function formatCounts(c: Counts, { t, num }: Pick<I18n, 't' | 'num'>): string {
  const parts = [
    t('counts.added', { n: num(c.added) }),
    t('counts.updated', { n: num(c.updated) }),
    t('counts.archived', { n: num(c.archived) }),
    t('counts.refused', { n: num(c.refused) }),
  ]
  if (c.unchanged > 0) parts.push(t('counts.unchanged', { n: num(c.unchanged) }))
  if (c.skipped) parts.push(t('counts.skipped', { n: num(c.skipped) }))
  if (c.kept) parts.push(t(c.kept === 1 ? 'counts.kept.one' : 'counts.kept', { n: num(c.kept) }))
  if (c.damaged) parts.push(t(c.damaged === 1 ? 'counts.damaged.one' : 'counts.damaged', { n: num(c.damaged) }))
  return parts.join(', ')
}

/**
 * What an undo job did, from its counts: updated = accounts put back (restored or active
 * again), archived = the accounts the import had added, unchanged = changed later, left alone.
 */
export function formatUndoCounts(
  c: Pick<Counts, 'updated' | 'archived' | 'unchanged'> & { removed?: number },
  { t, num }: Pick<I18n, 't' | 'num'>,
): string {
  const parts = [t('counts.restored', { n: num(c.updated) })]
  // Undos from before added accounts were deleted archived them instead.
  if (c.archived > 0) parts.push(t('counts.archived', { n: num(c.archived) }))
  parts.push(t('counts.removed', { n: num(c.removed ?? 0) }))
  if (c.unchanged > 0) parts.push(t('counts.leftAlone', { n: num(c.unchanged) }))
  return parts.join(', ')
}

/** "puntkomma (;)" for the detected separator. */
export function delimiterLabel(d: string, { t }: Pick<I18n, 't'>): string {
  switch (d) {
    case ';':
      return t('delimiter.semicolon')
    case ',':
      return t('delimiter.comma')
    case '\t':
    case '\\t':
    case 'tab':
      return t('delimiter.tab')
    case '|':
      return t('delimiter.pipe')
    default:
      return `“${d}”`
  }
}

/** The encoding as people know it: "Windows-1252 (ANSI)", "UTF-8". */
export function encodingLabel(enc: string): string {
  const e = enc.toLowerCase().replace(/[_\s]/g, '-')
  if (e === 'windows-1252' || e === 'cp1252') return 'Windows-1252 (ANSI)'
  if (e === 'utf-8' || e === 'utf8') return 'UTF-8'
  if (e === 'utf-8-bom' || e === 'utf-8 bom') return 'UTF-8 (BOM)'
  if (e.startsWith('utf-16')) return enc.toUpperCase()
  if (e === 'iso-8859-1' || e === 'latin1') return 'ISO-8859-1 (Latin-1)'
  return enc
}

/** A change's stored value in the admin's language: the plan writes a status in Dutch (actief, gearchiveerd). */
export function changeValue(v: string, t: I18n['t']): string {
  return v === 'actief' || v === 'gearchiveerd' ? t(`change.value.${v}`) : v
}
