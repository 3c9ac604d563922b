import type { I18n, MessageKey } from '../../i18n'
import { nl } from '../../i18n/nl'

/** What an import file holds: pupils (with their lesgroepen) or teachers (with the groups they teach). */
export type ImportKind = 'PUPILS' | 'TEACHERS'

/** The fields of a preview's FieldChange that name group memberships rather than one value. */
export const groupFields = ['groups', 'teaches', 'mentorOf'] as const

/** Whether a FieldChange is a change of group memberships (shown per group, not as before → after). */
export function isGroupField(field: string): boolean {
  return (groupFields as readonly string[]).includes(field)
}

/**
 * The group names in a change's value: the plan joins them sorted with ", "; a file writes
 * "h4a.ne1; h4a.en2" too. Empty parts are dropped, names kept as written.
 */
export function splitGroups(value: string): string[] {
  return value
    .split(/[,;]/)
    .map((s) => s.trim())
    .filter(Boolean)
}

/** One group of a membership change: joined (new), left (gone) or kept. */
export interface GroupChange {
  name: string
  change: 'joined' | 'left' | 'kept'
}

/**
 * The per-group difference of a membership change, by name (case-sensitive, as the plan compares
 * them): the groups of after that before lacks are joined, the groups of before that after lacks
 * are left, the rest is kept. Left groups first, then joined, then kept, each by name: a moved
 * pupil reads "- h4a.en2 + h4a.en3 h4a.ne1".
 */
export function groupDiff(before: string, after: string): GroupChange[] {
  const b = new Set(splitGroups(before))
  const a = new Set(splitGroups(after))
  const out: GroupChange[] = []
  for (const name of new Set([...b, ...a])) {
    out.push({ name, change: a.has(name) && b.has(name) ? 'kept' : a.has(name) ? 'joined' : 'left' })
  }
  // What changes first (left, then joined), then what stays: the eye finds the change at the start.
  const rank = { left: 0, joined: 1, kept: 2 }
  return out.sort((x, y) => rank[x.change] - rank[y.change] || x.name.localeCompare(y.name, 'nl', { numeric: true }))
}

/** A group change as plain text: "+ h4a.ne1", "- h4a.en2", "h4a.wi1" (for the report, titles and tests). */
export function groupChangeText(c: GroupChange): string {
  return c.change === 'joined' ? `+ ${c.name}` : c.change === 'left' ? `- ${c.name}` : c.name
}

/** The lower-case word of a kind, as the plural message keys spell it. */
export function kindWord(kind: ImportKind | null | undefined): 'pupils' | 'teachers' {
  return kind === 'TEACHERS' ? 'teachers' : 'pupils'
}

// The keys with a kind variant (key.PUPILS / key.TEACHERS); both dictionaries have the same keys.
const kindKeys = new Set(Object.keys(nl).filter((k) => k.endsWith('.PUPILS') || k.endsWith('.TEACHERS')))

/**
 * The message key of a text that a teacher import words differently: key.TEACHERS (or
 * key.PUPILS) when the dictionaries have that variant, otherwise key itself.
 */
export function kindKey(key: string, kind: ImportKind | null | undefined): MessageKey {
  const specific = `${key}.${kind === 'TEACHERS' ? 'TEACHERS' : 'PUPILS'}`
  return (kindKeys.has(specific) ? specific : key) as MessageKey
}

/** Group memberships an import adds and removes. */
export interface GroupCounts {
  groupsJoined?: number | null
  groupsLeft?: number | null
}

/**
 * "24 plaatsen in lesgroepen erbij, 3 plaatsen in lesgroepen eraf" (pupils) or the teachers'
 * "5 koppelingen van docenten aan groepen erbij", in the singular for 1, leaving out a 0; null
 * when the import changes no membership.
 */
export function formatGroupCounts(c: GroupCounts, kind: ImportKind | null | undefined, { plural }: Pick<I18n, 'plural'>): string | null {
  const joined = c.groupsJoined ?? 0
  const left = c.groupsLeft ?? 0
  if (joined === 0 && left === 0) return null
  const w = kindWord(kind)
  const parts = []
  if (joined > 0) parts.push(plural(`groupCounts.joined.${w}`, joined))
  if (left > 0) parts.push(plural(`groupCounts.left.${w}`, left))
  return parts.join(', ')
}
