import { Badge, Grid, Group, NavLink, Paper, ScrollArea, Stack, Text, TextInput, Title } from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { IconSearch, IconUsers } from '@tabler/icons-react'
import { useState } from 'react'
import { Link, useParams } from 'react-router'
import { useQuery } from 'urql'
import { CursorPager, useCursorPages } from '../../components/CursorPager'
import { ErrorAlert } from '../../components/ErrorAlert'
import { Loading } from '../../components/Loading'
import { useI18n } from '../../i18n'
import { useSchool } from '../../school/SchoolProvider'
import { ClassesQuery, ClassPupilsQuery } from './documents'
import { usePupilActions } from './PupilActions'
import { PupilsTable, pupilOrder } from './PupilsTable'
import { accountSearch, type SortKey } from './search'

/** Pupils per page in the roster tables. */
export const rosterPageSize = 50

/** Who looks at the classes: the admin (all classes, row actions) or a teacher (their own, read-only). */
export type RosterMode = 'admin' | 'teacher'

/**
 * Overview: the classes with pupil counts, and the chosen class's pupils. An admin sees every
 * class of the school and can act on a pupil; a teacher sees the classes they teach (the server
 * narrows the list), read-only.
 */
export function ClassesPage({ mode }: { mode: RosterMode }) {
  const { t, num } = useI18n()
  const base = mode === 'admin' ? '/klassen' : '/mijn-klassen'
  const { school } = useSchool()
  const { classId } = useParams()
  const [search, setSearch] = useState('')
  const [debounced] = useDebouncedValue(search.trim(), 250)
  const [{ data, fetching, error }, refetch] = useQuery({
    query: ClassesQuery,
    variables: { schoolId: school?.id ?? '', search: debounced || null },
    pause: !school,
    requestPolicy: 'cache-and-network',
  })
  const node = data?.node
  const classes =
    node?.__typename === 'School' ? node.classes.edges?.flatMap((e) => (e?.node ? [e.node] : [])) ?? [] : []

  return (
    <Stack gap="md">
      <div>
        <Title order={1} size="h2">
          {t(mode === 'admin' ? 'nav.classes' : 'nav.myClasses')}
        </Title>
        {mode === 'teacher' && (
          <Text size="sm" c="dimmed">
            {t('teacher.intro')}
          </Text>
        )}
      </div>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 4, lg: 3 }}>
          <Paper withBorder p="sm" radius="md">
            <Stack gap="xs">
              <TextInput
                label={t('roster.classSearch')}
                placeholder={t('roster.classSearch.placeholder')}
                leftSection={<IconSearch size={16} aria-hidden />}
                value={search}
                onChange={(e) => setSearch(e.currentTarget.value)}
              />
              {error && <ErrorAlert error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />}
              {fetching && !data && <Loading />}
              {!fetching && classes.length === 0 && !error && (
                <Text c="dimmed" size="sm">
                  {debounced ? t('roster.noClassesFound') : t(mode === 'admin' ? 'roster.noClasses' : 'teacher.noClasses')}
                </Text>
              )}
              <ScrollArea.Autosize mah={{ base: 260, md: 560 }} type="auto">
                <nav aria-label={t('roster.classList')}>
                  {classes.map((c) => (
                    <NavLink
                      key={c.id}
                      component={Link}
                      to={`${base}/${c.id}`}
                      active={c.id === classId}
                      aria-current={c.id === classId ? 'page' : undefined}
                      label={c.name}
                      description={[c.level, c.year ? t('roster.yearN', { n: c.year }) : null].filter(Boolean).join(' · ')}
                      rightSection={
                        <Badge variant="light" color="gray" aria-label={t('roster.pupilCount', { n: c.pupils.totalCount })}>
                          {num(c.pupils.totalCount)}
                        </Badge>
                      }
                    />
                  ))}
                </nav>
              </ScrollArea.Autosize>
            </Stack>
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8, lg: 9 }}>
          {classId ? (
            <ClassPupils key={classId} classId={classId} mode={mode} />
          ) : (
            <Paper withBorder p="xl" radius="md">
              <Group gap="sm" c="dimmed">
                <IconUsers aria-hidden />
                <Text>{t('roster.pickClass')}</Text>
              </Group>
            </Paper>
          )}
        </Grid.Col>
      </Grid>
    </Stack>
  )
}

function ClassPupils({ classId, mode }: { classId: string; mode: RosterMode }) {
  const { t, num } = useI18n()
  const [search, setSearch] = useState('')
  const [debounced] = useDebouncedValue(search.trim(), 300)
  const [sort, setSort] = useState<SortKey>('name')
  const [reversed, setReversed] = useState(false)
  const pages = useCursorPages()
  const searchWhere = accountSearch(debounced)
  const [{ data, fetching, error }, refetch] = useQuery({
    query: ClassPupilsQuery,
    variables: {
      classId,
      first: rosterPageSize,
      after: pages.after,
      where: { status: 'ACTIVE', ...(searchWhere ?? {}) },
      orderBy: pupilOrder(sort, reversed),
    },
    requestPolicy: 'cache-and-network',
  })
  const cls = data?.node?.__typename === 'Class' ? data.node : null
  const rows = cls?.pupils.edges?.flatMap((e) => (e?.node ? [e.node] : [])) ?? []
  const actions = usePupilActions(() => refetch({ requestPolicy: 'network-only' }))

  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-end">
          <div>
            <Title order={2} size="h3">
              {cls ? t('roster.classTitle', { name: cls.name }) : t('common.loading')}
            </Title>
            {cls && (
              <Text size="sm" c="dimmed">
                {[cls.level, cls.year ? t('roster.yearN', { n: cls.year }) : null, t('roster.pupilCount', { n: num(cls.pupils.totalCount) })]
                  .filter(Boolean)
                  .join(' · ')}
              </Text>
            )}
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
        {error && <ErrorAlert error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />}
        {!cls && fetching && <Loading />}
        {data && !cls && !fetching && <Text c="dimmed">{t('roster.classNotFound')}</Text>}
        {cls && (
          <>
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
              label={t('roster.classTitle', { name: cls.name })}
              busy={fetching}
              actions={mode === 'admin' ? actions.menu : undefined}
            />
            <CursorPager
              page={pages.page}
              pageSize={rosterPageSize}
              shown={rows.length}
              total={cls.pupils.totalCount}
              hasNext={cls.pupils.pageInfo.hasNextPage}
              onPrevious={pages.previous}
              onNext={() => pages.next(cls.pupils.pageInfo.endCursor)}
            />
          </>
        )}
      </Stack>
      {mode === 'admin' && actions.dialogs}
    </Paper>
  )
}
