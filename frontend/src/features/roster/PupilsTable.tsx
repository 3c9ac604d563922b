import { Checkbox, Table, Text, VisuallyHidden } from '@mantine/core'
import type { ReactNode } from 'react'
import { SortHeader } from '../../components/SortHeader'
import { useI18n } from '../../i18n'
import type { SortKey } from './search'

/** A pupil as the roster tables show it. */
export interface PupilRow {
  id: string
  externalKey: string | null
  firstName: string
  infix: string
  lastName: string
  email: string
  level: string
  year: number | null
  className?: string | null
  archivedAt?: string | null
  /** The pupil's lesgroepen (names), when the table shows them. */
  groups?: string[]
  /** How many lesgroepen the pupil has in all (more than groups lists when it is cut short). */
  groupCount?: number
}

/** Which rows are selected, for the checkbox column (the class page's roster actions). */
export interface PupilSelection {
  selected: ReadonlySet<string>
  /** Selects or clears one row. */
  onToggle: (id: string) => void
  /** Selects (on) or clears every row of the page. */
  onTogglePage: (ids: string[], on: boolean) => void
}

/** The actions column sticks to the right edge, so the row menu is reachable without scrolling sideways. */
const stickyEnd: React.CSSProperties = {
  position: 'sticky',
  right: 0,
  background: 'var(--mantine-color-body)',
  boxShadow: '-6px 0 6px -6px rgba(0, 0, 0, 0.15)',
}

/**
 * An e-mail address that wraps at sensible points (after the @, before each dot of the domain)
 * and, failing those, anywhere: long school addresses were clipped under the sticky actions
 * column (issue 17). The whole address stays in the cell's text, so it is read and copied whole.
 */
function breakableEmail(email: string) {
  const at = email.indexOf('@')
  if (at < 0) return email
  const domain = email.slice(at + 1).split('.')
  return (
    <>
      {email.slice(0, at + 1)}
      {domain.map((part, i) => (
        <span key={i}>
          <wbr />
          {i > 0 ? '.' : ''}
          {part}
        </span>
      ))}
    </>
  )
}

/**
 * The e-mail cell's content: at least a readable width (a table cell's own min-width is not
 * honoured), then wrapping (see breakableEmail).
 */
const emailBox: React.CSSProperties = { minWidth: '12rem', overflowWrap: 'anywhere' }

/** Pupils by last name ("Vries, Jan de") or key; the headers sort. */
export function PupilsTable({
  rows,
  sort,
  reversed,
  onSort,
  showClass,
  classHeader,
  showGroups,
  showArchivedAt,
  label,
  busy,
  actions,
  selection,
}: {
  rows: PupilRow[]
  sort: SortKey
  reversed: boolean
  onSort: (key: SortKey) => void
  showClass?: boolean
  /** The class column's header (default "Laatste klas", the archive's). */
  classHeader?: string
  /** A column with each pupil's lesgroepen. */
  showGroups?: boolean
  showArchivedAt?: boolean
  label: string
  busy?: boolean
  /** A cell of actions at the end of each row (the admin's row menu). */
  actions?: (row: PupilRow) => ReactNode
  /** A checkbox column first, to select rows. */
  selection?: PupilSelection
}) {
  const { t, lang, num } = useI18n()
  // An empty lesgroepen column (a school without lesgroepen) only takes the e-mail's room.
  const groupsCol = !!showGroups && rows.some((p) => (p.groups?.length ?? 0) > 0 || (p.groupCount ?? 0) > 0)
  const date = new Intl.DateTimeFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'medium' })
  const cols = 5 + (showClass ? 1 : 0) + (groupsCol ? 1 : 0) + (showArchivedAt ? 1 : 0) + (actions ? 1 : 0) + (selection ? 1 : 0)
  const pageIds = rows.map((r) => r.id)
  const selectedOnPage = selection ? pageIds.filter((id) => selection.selected.has(id)).length : 0
  return (
    <Table.ScrollContainer minWidth={680}>
      <Table striped highlightOnHover verticalSpacing={6} aria-label={label} aria-busy={busy}>
        <Table.Thead>
          <Table.Tr>
            {selection && (
              <Table.Th scope="col" w={40}>
                <Checkbox
                  aria-label={t('rosterActions.selectPage')}
                  checked={rows.length > 0 && selectedOnPage === rows.length}
                  indeterminate={selectedOnPage > 0 && selectedOnPage < rows.length}
                  disabled={rows.length === 0}
                  onChange={(e) => selection.onTogglePage(pageIds, e.currentTarget.checked)}
                />
              </Table.Th>
            )}
            <SortHeader sorted={sort === 'key'} reversed={reversed} onSort={() => onSort('key')}>
              {t('roster.col.key')}
            </SortHeader>
            <SortHeader sorted={sort === 'name'} reversed={reversed} onSort={() => onSort('name')}>
              {t('roster.col.name')}
            </SortHeader>
            {showClass && <Table.Th scope="col">{classHeader ?? t('roster.col.class')}</Table.Th>}
            {groupsCol && <Table.Th scope="col">{t('roster.col.groups')}</Table.Th>}
            <Table.Th scope="col">{t('roster.col.level')}</Table.Th>
            <Table.Th scope="col">{t('roster.col.year')}</Table.Th>
            <Table.Th scope="col">{t('roster.col.email')}</Table.Th>
            {showArchivedAt && (
              <Table.Th scope="col" style={{ whiteSpace: 'nowrap' }}>
                {t('roster.col.archivedAt')}
              </Table.Th>
            )}
            {actions && (
              <Table.Th scope="col" w={48} style={stickyEnd}>
                <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
              </Table.Th>
            )}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.length === 0 && (
            <Table.Tr>
              <Table.Td colSpan={cols}>
                <Text c="dimmed" ta="center" py="sm">
                  {t('roster.empty')}
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
          {rows.map((p, i) => (
            <Table.Tr key={p.id} bg={selection?.selected.has(p.id) ? 'var(--mantine-primary-color-light)' : undefined}>
              {selection && (
                <Table.Td>
                  <Checkbox
                    aria-label={t('rosterActions.selectOne', { name: [p.firstName, p.infix, p.lastName].filter(Boolean).join(' ') })}
                    checked={selection.selected.has(p.id)}
                    onChange={() => selection.onToggle(p.id)}
                  />
                </Table.Td>
              )}
              <Table.Td>{p.externalKey ?? ''}</Table.Td>
              {/* A long name wraps only after its comma, leaving room for the e-mail column. */}
              <Table.Td>
                <span style={{ whiteSpace: 'nowrap' }}>
                  <Text span size="sm" fw={600}>
                    {p.lastName}
                  </Text>
                  <Text span size="sm">
                    ,
                  </Text>
                </span>{' '}
                <Text span size="sm" style={{ whiteSpace: 'nowrap' }}>
                  {[p.firstName, p.infix].filter(Boolean).join(' ')}
                </Text>
              </Table.Td>
              {showClass && <Table.Td style={{ whiteSpace: 'nowrap' }}>{p.className ?? ''}</Table.Td>}
              {groupsCol && (
                <Table.Td>
                  <Text span size="sm">
                    {(p.groups ?? []).join(', ')}
                  </Text>
                  {(p.groupCount ?? 0) > (p.groups?.length ?? 0) && (
                    <Text span size="xs" c="dimmed">
                      {` ${t('roster.moreGroups', { n: num((p.groupCount ?? 0) - (p.groups?.length ?? 0)) })}`}
                    </Text>
                  )}
                </Table.Td>
              )}
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{p.level}</Table.Td>
              <Table.Td>{p.year ?? ''}</Table.Td>
              <Table.Td>
                <div style={emailBox}>{breakableEmail(p.email)}</div>
              </Table.Td>
              {showArchivedAt && (
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{p.archivedAt ? date.format(new Date(p.archivedAt)) : ''}</Table.Td>
              )}
              {actions && (
                <Table.Td
                  py={0}
                  // The striped table colours its odd rows; the sticky cell covers what scrolls under it.
                  style={{ ...stickyEnd, background: i % 2 === 0 ? 'var(--table-striped-color)' : stickyEnd.background }}
                >
                  {actions(p)}
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  )
}

/** The ent order for a sort key: by last name then first name, or by key. */
export function pupilOrder(sort: SortKey, reversed: boolean) {
  const direction = reversed ? ('DESC' as const) : ('ASC' as const)
  return sort === 'key'
    ? [{ field: 'EXTERNAL_KEY' as const, direction }]
    : [
        { field: 'LAST_NAME' as const, direction },
        { field: 'FIRST_NAME' as const, direction },
      ]
}
