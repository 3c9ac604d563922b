import { Table, Text } from '@mantine/core'
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
}

/** Pupils by last name ("Vries, Jan de") or key; the headers sort. */
export function PupilsTable({
  rows,
  sort,
  reversed,
  onSort,
  showClass,
  showArchivedAt,
  label,
  busy,
}: {
  rows: PupilRow[]
  sort: SortKey
  reversed: boolean
  onSort: (key: SortKey) => void
  showClass?: boolean
  showArchivedAt?: boolean
  label: string
  busy?: boolean
}) {
  const { t, lang } = useI18n()
  const date = new Intl.DateTimeFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'medium' })
  const cols = 5 + (showClass ? 1 : 0) + (showArchivedAt ? 1 : 0)
  return (
    <Table.ScrollContainer minWidth={680}>
      <Table striped highlightOnHover verticalSpacing={6} aria-label={label} aria-busy={busy}>
        <Table.Thead>
          <Table.Tr>
            <SortHeader sorted={sort === 'key'} reversed={reversed} onSort={() => onSort('key')}>
              {t('roster.col.key')}
            </SortHeader>
            <SortHeader sorted={sort === 'name'} reversed={reversed} onSort={() => onSort('name')}>
              {t('roster.col.name')}
            </SortHeader>
            {showClass && <Table.Th scope="col">{t('roster.col.class')}</Table.Th>}
            <Table.Th scope="col">{t('roster.col.level')}</Table.Th>
            <Table.Th scope="col">{t('roster.col.year')}</Table.Th>
            <Table.Th scope="col">{t('roster.col.email')}</Table.Th>
            {showArchivedAt && <Table.Th scope="col">{t('roster.col.archivedAt')}</Table.Th>}
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
          {rows.map((p) => (
            <Table.Tr key={p.id}>
              <Table.Td>{p.externalKey ?? ''}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <Text span size="sm" fw={600}>
                  {p.lastName}
                </Text>
                <Text span size="sm">{`, ${[p.firstName, p.infix].filter(Boolean).join(' ')}`}</Text>
              </Table.Td>
              {showClass && <Table.Td>{p.className ?? ''}</Table.Td>}
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{p.level}</Table.Td>
              <Table.Td>{p.year ?? ''}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{p.email}</Table.Td>
              {showArchivedAt && <Table.Td>{p.archivedAt ? date.format(new Date(p.archivedAt)) : ''}</Table.Td>}
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
