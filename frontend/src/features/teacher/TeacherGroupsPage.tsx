import { Badge, Grid, Group, NavLink, Paper, ScrollArea, Stack, Table, Text, TextInput, Title } from '@mantine/core'
import { IconSearch, IconUsers, IconUsersGroup } from '@tabler/icons-react'
import { useState } from 'react'
import { Link, useParams } from 'react-router'
import { useQuery } from 'urql'
import { ErrorAlert } from '../../components/ErrorAlert'
import { Loading } from '../../components/Loading'
import { useI18n } from '../../i18n'
import { classDescription, classTitle } from '../roster/classes'
import { RosterCsvButton } from '../roster/RosterActions'
import { MyGroupsQuery } from './documents'
import { myGroups, pupilMatches, type MyGroup } from './groups'

/**
 * A teacher's page: the groups they teach and the class they mentor, each with its pupils, from
 * one query. Without a chosen group every group is shown one below the other; the search narrows
 * all of them at once.
 */
export function TeacherGroupsPage() {
  const i18n = useI18n()
  const { t, num, plural } = i18n
  const { classId } = useParams()
  const [search, setSearch] = useState('')
  const [{ data, fetching, error }, refetch] = useQuery({ query: MyGroupsQuery, requestPolicy: 'cache-and-network' })
  const groups = myGroups(data)
  const shown = classId ? groups.filter((g) => g.id === classId) : groups

  return (
    <Stack gap="md">
      <div>
        <Title order={1} size="h2">
          {t('nav.myClasses')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('teacher.groups.intro')}
        </Text>
      </div>
      {error && <ErrorAlert error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />}
      {fetching && !data && <Loading />}
      {data && groups.length === 0 && (
        <Paper withBorder p="xl" radius="md">
          <Text c="dimmed">{t('teacher.groups.none')}</Text>
        </Paper>
      )}
      {groups.length > 0 && (
        <Grid gap="md">
          <Grid.Col span={{ base: 12, md: 4, lg: 3 }}>
            <Paper withBorder p="sm" radius="md">
              <Stack gap="xs">
                <Text size="sm" fw={600}>
                  {`${t('teacher.groups.list')} · ${plural('teacher.groups.count', groups.length)}`}
                </Text>
                <ScrollArea.Autosize mah={{ base: 260, md: 560 }} type="auto">
                  <nav aria-label={t('roster.classList')}>
                    {groups.map((g) => (
                      <NavLink
                        key={g.id}
                        component={Link}
                        to={g.id === classId ? '/mijn-klassen' : `/mijn-klassen/${g.id}`}
                        active={g.id === classId}
                        aria-current={g.id === classId ? 'page' : undefined}
                        label={g.name}
                        description={[g.mentor ? t('teacher.groups.mentor') : null, classDescription(g, i18n) || null].filter(Boolean).join(' · ')}
                        leftSection={
                          g.kind === 'LESGROEP' ? (
                            <IconUsersGroup size={16} aria-hidden color="var(--mantine-color-grape-6)" />
                          ) : (
                            <IconUsers size={16} aria-hidden color="var(--mantine-color-blue-6)" />
                          )
                        }
                        rightSection={
                          <Badge variant="light" color="gray" aria-label={plural('roster.pupils', g.total)}>
                            {num(g.total)}
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
            <Stack gap="md">
              <TextInput
                label={t('teacher.groups.search')}
                placeholder={t('teacher.groups.search.placeholder')}
                leftSection={<IconSearch size={16} aria-hidden />}
                value={search}
                onChange={(e) => setSearch(e.currentTarget.value)}
                maw={420}
              />
              {shown.map((g) => (
                <GroupCard key={g.id} group={g} search={search} />
              ))}
            </Stack>
          </Grid.Col>
        </Grid>
      )}
    </Stack>
  )
}

function GroupCard({ group: g, search }: { group: MyGroup; search: string }) {
  const i18n = useI18n()
  const { t, num, plural } = i18n
  const rows = g.pupils.filter((p) => pupilMatches(p, search))
  const title = classTitle(g, i18n)
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={title}>
      <Stack gap="xs">
        <Group gap="xs" align="center">
          <Title order={2} size="h4">
            {title}
          </Title>
          <Badge variant="light" color={g.kind === 'LESGROEP' ? 'grape' : 'blue'} tt="none">
            {t(`roster.kindOne.${g.kind}`)}
          </Badge>
          {g.mentor && (
            <Badge variant="filled" color="indigo" tt="none">
              {t('teacher.groups.mentor')}
            </Badge>
          )}
          <Text size="sm" c="dimmed">
            {[g.kind === 'LESGROEP' ? g.subject || null : classDescription(g, i18n) || null, plural('roster.pupils', g.total)]
              .filter(Boolean)
              .join(' · ')}
          </Text>
          <RosterCsvButton url={g.csvUrl} name={title} />
        </Group>
        <Table.ScrollContainer minWidth={520}>
          <Table striped verticalSpacing={4} aria-label={title}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col" w={110}>
                  {t('roster.col.key')}
                </Table.Th>
                <Table.Th scope="col">{t('roster.col.name')}</Table.Th>
                {g.kind === 'LESGROEP' && (
                  <Table.Th scope="col" w={90}>
                    {t('roster.col.stamklas')}
                  </Table.Th>
                )}
                <Table.Th scope="col">{t('roster.col.email')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={4}>
                    <Text size="sm" c="dimmed" ta="center">
                      {search.trim() ? t('teacher.groups.noMatch') : t('roster.empty')}
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
                  {g.kind === 'LESGROEP' && <Table.Td>{p.className}</Table.Td>}
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{p.email}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {g.total > g.pupils.length && (
          <Text size="xs" c="dimmed">
            {t('teacher.groups.truncated', { shown: num(g.pupils.length), total: num(g.total) })}
          </Text>
        )}
      </Stack>
    </Paper>
  )
}
