import { Alert, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { IconArchive, IconSearch } from '@tabler/icons-react'
import { useState } from 'react'
import { useQuery } from 'urql'
import { CursorPager, useCursorPages } from '../../components/CursorPager'
import { ErrorAlert } from '../../components/ErrorAlert'
import { Loading } from '../../components/Loading'
import { useI18n } from '../../i18n'
import { useSchool } from '../../school/SchoolProvider'
import { rosterPageSize } from './ClassesPage'
import { ArchivedAccountsQuery } from './documents'
import { usePupilActions } from './PupilActions'
import { PupilsTable, pupilOrder } from './PupilsTable'
import { accountSearch, type SortKey } from './search'

/** Overview: the school's archived accounts (inactive, cannot log in), searchable and sortable. */
export function ArchivePage() {
  const { t, plural } = useI18n()
  const { school } = useSchool()
  const [search, setSearch] = useState('')
  const [debounced] = useDebouncedValue(search.trim(), 300)
  const [sort, setSort] = useState<SortKey>('name')
  const [reversed, setReversed] = useState(false)
  const pages = useCursorPages()
  const searchWhere = accountSearch(debounced)
  const [{ data, fetching, error }, refetch] = useQuery({
    query: ArchivedAccountsQuery,
    variables: {
      schoolId: school?.id ?? '',
      first: rosterPageSize,
      after: pages.after,
      where: { status: 'ARCHIVED', role: 'PUPIL', ...(searchWhere ?? {}) },
      orderBy: pupilOrder(sort, reversed),
    },
    pause: !school,
    requestPolicy: 'cache-and-network',
  })
  const accounts = data?.node?.__typename === 'School' ? data.node.accounts : null
  const rows =
    accounts?.edges?.flatMap((e) => (e?.node ? [{ ...e.node, className: e.node.class?.name ?? null }] : [])) ?? []
  const actions = usePupilActions(() => refetch({ requestPolicy: 'network-only' }))

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} size="h2">
            {t('nav.archive')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('archive.intro')}
          </Text>
        </div>
        <TextInput
          label={t('roster.pupilSearch')}
          placeholder={t('roster.pupilSearch.placeholder')}
          leftSection={<IconSearch size={16} aria-hidden />}
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value)
            pages.reset()
          }}
          w={280}
        />
      </Group>
      <Paper withBorder p="md" radius="md">
        <Stack gap="sm">
          {error && <ErrorAlert error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />}
          {!accounts && fetching && <Loading />}
          {accounts && accounts.totalCount === 0 && !debounced ? (
            <Alert color="gray" icon={<IconArchive aria-hidden />}>
              {t('archive.none')}
            </Alert>
          ) : (
            accounts && (
              <>
                <Text size="sm" c="dimmed">
                  {plural('roster.archived', accounts.totalCount)}
                </Text>
                <PupilsTable
                  rows={rows}
                  sort={sort}
                  reversed={reversed}
                  onSort={(key) => {
                    if (key === sort) setReversed((r) => !r)
                    else {
                      setSort(key)
                      setReversed(false)
                    }
                    pages.reset()
                  }}
                  showClass
                  showArchivedAt
                  label={t('nav.archive')}
                  busy={fetching}
                  actions={actions.menu}
                />
                <CursorPager
                  page={pages.page}
                  pageSize={rosterPageSize}
                  shown={rows.length}
                  total={accounts.totalCount}
                  hasNext={accounts.pageInfo.hasNextPage}
                  onPrevious={pages.previous}
                  onNext={() => pages.next(accounts.pageInfo.endCursor)}
                />
              </>
            )
          )}
        </Stack>
      </Paper>
      {actions.dialogs}
    </Stack>
  )
}
