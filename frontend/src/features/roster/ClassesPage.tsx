import { Badge, Grid, Group, NavLink, Paper, ScrollArea, SegmentedControl, Stack, Text, TextInput, Title } from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { IconSearch, IconUsers, IconUsersGroup } from '@tabler/icons-react'
import { useState } from 'react'
import { Link, useParams } from 'react-router'
import { useQuery } from 'urql'
import { CursorPager, useCursorPages } from '../../components/CursorPager'
import { ErrorAlert } from '../../components/ErrorAlert'
import { Loading } from '../../components/Loading'
import type { ClassKind } from '../../gql/graphql'
import { useI18n } from '../../i18n'
import { classDescription, classTitle } from './classes'
import { useSchool } from '../../school/SchoolProvider'
import { fullName } from '../import/PreviewStep'
import { ClassesQuery, ClassPupilsQuery, ClassQuery } from './documents'
import { usePupilActions } from './PupilActions'
import { LettersButton } from '../startcodes/LettersButton'
import { PupilsTable, pupilOrder, type PupilRow, type PupilSelection } from './PupilsTable'
import { RosterActionsBar, RosterCsvButton } from './RosterActions'
import { accountSearch, type SortKey } from './search'

/** Pupils per page in the roster tables. */
export const rosterPageSize = 50

/** Who looks at the classes: the admin (all classes, row actions). Teachers have their own page (TeacherGroupsPage). */
export type RosterMode = 'admin'

type KindFilter = 'ALL' | ClassKind

/**
 * Overview: the stamklassen and lesgroepen with their pupil counts (filterable by kind), and the
 * chosen class's pupils, teachers and mentor. The admin can act on a pupil.
 */
export function ClassesPage({ mode }: { mode: RosterMode }) {
  const i18n = useI18n()
  const { t, num, plural } = i18n
  const base = '/klassen'
  const { school } = useSchool()
  const { classId } = useParams()
  const [search, setSearch] = useState('')
  const [kind, setKind] = useState<KindFilter>('ALL')
  const [debounced] = useDebouncedValue(search.trim(), 250)
  const [{ data, fetching, error }, refetch] = useQuery({
    query: ClassesQuery,
    variables: { schoolId: school?.id ?? '', search: debounced || null, kinds: kind === 'ALL' ? null : [kind] },
    pause: !school,
    requestPolicy: 'cache-and-network',
  })
  const node = data?.node
  const connection = node?.__typename === 'School' ? node.classes : null
  const classes = connection?.edges?.flatMap((e) => (e?.node ? [e.node] : [])) ?? []
  const sections = (['STAMKLAS', 'LESGROEP'] as const)
    .map((k) => ({ kind: k, items: classes.filter((c) => c.kind === k) }))
    .filter((s) => s.items.length > 0)

  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        {t('nav.classes')}
      </Title>
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
              <SegmentedControl
                aria-label={t('roster.kind.aria')}
                size="xs"
                fullWidth
                styles={{ label: { paddingInline: 4 } }}
                value={kind}
                onChange={(v) => setKind(v as KindFilter)}
                data={[
                  { value: 'ALL', label: t('roster.kind.all') },
                  { value: 'STAMKLAS', label: t('roster.kind.STAMKLAS') },
                  { value: 'LESGROEP', label: t('roster.kind.LESGROEP') },
                ]}
              />
              {error && <ErrorAlert error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />}
              {fetching && !data && <Loading />}
              {!fetching && classes.length === 0 && !error && (
                <Text c="dimmed" size="sm">
                  {debounced || kind !== 'ALL' ? t('roster.noClassesFound') : t('roster.noClasses')}
                </Text>
              )}
              <ScrollArea.Autosize mah={{ base: 300, md: 560 }} type="auto">
                <nav aria-label={t('roster.classList')}>
                  {sections.map((s) => (
                    <div key={s.kind}>
                      {sections.length > 1 || kind === 'ALL' ? (
                        <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="xs" pt={6} pb={2}>
                          {`${t(`roster.kind.${s.kind}`)} (${num(s.items.length)})`}
                        </Text>
                      ) : null}
                      {s.items.map((c) => {
                        const count = c.kind === 'LESGROEP' ? c.members.totalCount : c.pupils.totalCount
                        return (
                          <NavLink
                            key={c.id}
                            component={Link}
                            to={`${base}/${c.id}`}
                            active={c.id === classId}
                            aria-current={c.id === classId ? 'page' : undefined}
                            label={c.name}
                            description={classDescription(c, i18n)}
                            leftSection={
                              c.kind === 'LESGROEP' ? (
                                <IconUsersGroup size={16} aria-hidden color="var(--mantine-color-grape-6)" />
                              ) : (
                                <IconUsers size={16} aria-hidden color="var(--mantine-color-blue-6)" />
                              )
                            }
                            rightSection={
                              <Badge variant="light" color="gray" aria-label={plural('roster.pupils', count)}>
                                {num(count)}
                              </Badge>
                            }
                          />
                        )
                      })}
                    </div>
                  ))}
                </nav>
              </ScrollArea.Autosize>
              {connection && connection.totalCount > classes.length && (
                <Text size="xs" c="dimmed">
                  {t('roster.shown', { shown: num(classes.length), total: num(connection.totalCount) })}
                </Text>
              )}
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

/** The teachers of a class, the mentor(s) marked: "Docenten: Jan de Vries (mentor), Els Bakker". */
function ClassTeachers({ teachers, mentorIds }: { teachers: { id: string; firstName: string; infix: string; lastName: string }[]; mentorIds: Set<string> }) {
  const { t } = useI18n()
  return (
    // A list only when it has items (axe: aria-required-children on a class without teachers).
    <Group gap={6} wrap="wrap" aria-label={t('roster.teachers')} role={teachers.length > 0 ? 'list' : 'group'} data-testid="class-teachers">
      <Text size="sm" fw={500}>
        {t('roster.teachers')}:
      </Text>
      {teachers.length === 0 && (
        <Text size="sm" c="dimmed">
          {t('roster.noTeachers')}
        </Text>
      )}
      {teachers.map((tc) => (
        <Badge
          key={tc.id}
          role="listitem"
          variant={mentorIds.has(tc.id) ? 'filled' : 'light'}
          color={mentorIds.has(tc.id) ? 'indigo' : 'gray'}
          tt="none"
          size="lg"
          fw={500}
        >
          {fullName(tc)}
          {mentorIds.has(tc.id) ? ` (${t('roster.mentor')})` : ''}
        </Badge>
      ))}
    </Group>
  )
}

function ClassPupils({ classId, mode }: { classId: string; mode: RosterMode }) {
  const i18n = useI18n()
  const { t, plural } = i18n
  const [search, setSearch] = useState('')
  const [debounced] = useDebouncedValue(search.trim(), 300)
  const [sort, setSort] = useState<SortKey>('name')
  const [reversed, setReversed] = useState(false)
  const pages = useCursorPages()
  const searchWhere = accountSearch(debounced)
  const [head, refetchHead] = useQuery({ query: ClassQuery, variables: { classId }, requestPolicy: 'cache-and-network' })
  const cls = head.data?.node?.__typename === 'Class' ? head.data.node : null
  const members = cls?.kind === 'LESGROEP'
  const [{ data, fetching, error }, refetch] = useQuery({
    query: ClassPupilsQuery,
    variables: {
      classId,
      members,
      first: rosterPageSize,
      after: pages.after,
      where: { status: 'ACTIVE', ...(searchWhere ?? {}) },
      orderBy: pupilOrder(sort, reversed),
    },
    pause: !cls,
    requestPolicy: 'cache-and-network',
  })
  const page = data?.node?.__typename === 'Class' ? (members ? data.node.members : data.node.pupils) : null
  const rows: PupilRow[] =
    page?.edges?.flatMap((e) =>
      e?.node
        ? [
            {
              ...e.node,
              className: e.node.class?.name ?? '',
              groups: e.node.groups.edges?.flatMap((g) => (g?.node ? [g.node.name] : [])) ?? [],
              groupCount: e.node.groups.totalCount,
            },
          ]
        : [],
    ) ?? []
  const actions = usePupilActions(() => refetch({ requestPolicy: 'network-only' }))
  const schoolId = useSchool().school?.id
  const teachers = cls?.teachers.edges?.flatMap((e) => (e?.node ? [e.node] : [])) ?? []
  const mentorIds = new Set(cls?.mentors.map((m) => m.id) ?? [])
  const err = head.error ?? error
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set())
  const selection: PupilSelection = {
    selected,
    onToggle: (id) =>
      setSelected((cur) => {
        const next = new Set(cur)
        if (!next.delete(id)) next.add(id)
        return next
      }),
    onTogglePage: (ids, on) =>
      setSelected((cur) => {
        const next = new Set(cur)
        for (const id of ids) {
          if (on) next.add(id)
          else next.delete(id)
        }
        return next
      }),
  }

  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-end">
          <div>
            <Group gap="xs" align="center">
              <Title order={2} size="h3">
                {cls ? classTitle(cls, i18n) : t('common.loading')}
              </Title>
              {cls && (
                <Badge variant="light" color={cls.kind === 'LESGROEP' ? 'grape' : 'blue'} tt="none">
                  {t(`roster.kindOne.${cls.kind}`)}
                </Badge>
              )}
            </Group>
            {cls && (
              <Text size="sm" c="dimmed">
                {[cls.kind === 'LESGROEP' ? cls.subject || null : classDescription(cls, i18n) || null, page ? plural('roster.pupils', page.totalCount) : null]
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
        {cls && <ClassTeachers teachers={teachers} mentorIds={mentorIds} />}
        {cls && mode === 'admin' && schoolId && (
          <Group>
            <LettersButton schoolId={schoolId} scope={{ classId }} label={classTitle(cls, i18n)} />
            <RosterCsvButton url={cls.rosterCsvUrl} name={classTitle(cls, i18n)} />
          </Group>
        )}
        {cls && mode === 'admin' && schoolId && (
          <RosterActionsBar schoolId={schoolId} classId={classId} selected={[...selected]} onClear={() => setSelected(new Set())} />
        )}
        {err && (
          <ErrorAlert
            error={err}
            onRetry={() => {
              refetchHead({ requestPolicy: 'network-only' })
              refetch({ requestPolicy: 'network-only' })
            }}
          />
        )}
        {(!cls || !page) && (head.fetching || fetching) && <Loading />}
        {head.data && !cls && !head.fetching && <Text c="dimmed">{t('roster.classNotFound')}</Text>}
        {cls && page && (
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
              label={classTitle(cls, i18n)}
              busy={fetching}
              showClass={members}
              classHeader={t('roster.col.stamklas')}
              showGroups={!members}
              actions={mode === 'admin' ? actions.menu : undefined}
              selection={mode === 'admin' ? selection : undefined}
            />
            <CursorPager
              page={pages.page}
              pageSize={rosterPageSize}
              shown={rows.length}
              total={page.totalCount}
              hasNext={page.pageInfo.hasNextPage}
              onPrevious={pages.previous}
              onNext={() => pages.next(page.pageInfo.endCursor)}
            />
          </>
        )}
      </Stack>
      {mode === 'admin' && actions.dialogs}
    </Paper>
  )
}
