import { Anchor, Badge, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core'
import { IconArrowBackUp, IconDownload } from '@tabler/icons-react'
import { useState } from 'react'
import { Link } from 'react-router'
import { useQuery } from 'urql'
import { CursorPager, useCursorPages } from '../../components/CursorPager'
import { ErrorAlert } from '../../components/ErrorAlert'
import { Loading } from '../../components/Loading'
import { useI18n, type MessageKey } from '../../i18n'
import { useSchool } from '../../school/SchoolProvider'
import { formatCounts, formatUndoCounts } from '../import/format'
import { ImportHistoryQuery } from './documents'
import { jobStatus, undoableJobId } from './status'
import { UndoModal, type UndoTarget } from './UndoModal'

const pageSize = 25

/** What the history says about where a job came from: a roster set's files, or a change made on a class page. */
function sourceLabel(source: string, t: (key: MessageKey) => string): string {
  if (source === 'app: verplaatsen') return t('history.source.appMove')
  if (source === 'app: archiveren') return t('history.source.appArchive')
  return source
}

/** Overview: the school's imports, newest first, with status, counts and report. */
export function HistoryPage() {
  const i18n = useI18n()
  const { t, lang } = i18n
  const { school } = useSchool()
  const pages = useCursorPages()
  const [{ data, fetching, error }, refetch] = useQuery({
    query: ImportHistoryQuery,
    variables: { schoolId: school?.id ?? '', first: pageSize, after: pages.after },
    pause: !school,
    requestPolicy: 'cache-and-network',
  })
  const jobs = data?.node?.__typename === 'School' ? data.node.importJobs : null
  const rows = jobs?.edges?.flatMap((e) => (e?.node ? [e.node] : [])) ?? []
  const date = new Intl.DateTimeFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' })
  const [undoing, setUndoing] = useState<UndoTarget | null>(null)
  // Only the newest import can be undone from here, and only from the first page, where it is.
  const undoable = pages.page === 0 ? undoableJobId(rows) : null

  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        {t('nav.history')}
      </Title>
      <Paper withBorder p="md" radius="md">
        <Stack gap="sm">
          {error && <ErrorAlert error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />}
          {!jobs && fetching && <Loading />}
          {jobs && jobs.totalCount === 0 && (
            <Text c="dimmed">
              {t('history.none')}{' '}
              <Anchor component={Link} to="/import">
                {t('history.start')}
              </Anchor>
            </Text>
          )}
          {jobs && jobs.totalCount > 0 && (
            <>
              <Table.ScrollContainer minWidth={640}>
                <Table striped highlightOnHover verticalSpacing={6} aria-label={t('nav.history')}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">{t('history.col.date')}</Table.Th>
                      <Table.Th scope="col">{t('history.col.file')}</Table.Th>
                      <Table.Th scope="col">{t('history.col.status')}</Table.Th>
                      <Table.Th scope="col">{t('history.col.counts')}</Table.Th>
                      <Table.Th scope="col">{t('history.col.report')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {rows.map((j) => {
                      const isUndo = j.kind === 'UNDO'
                      const s = isUndo && j.status === 'COMMITTED' ? jobStatus.UNDO : jobStatus[j.status]
                      const finished = j.status === 'COMMITTED' || j.status === 'UNDONE'
                      const undoOfFile = j.undoOf?.fileName ?? j.fileName.replace(/^Ongedaan: /, '')
                      return (
                        <Table.Tr key={j.id} data-kind={j.kind}>
                          {/* When the import was applied; one that never ran (failed before) shows when it was started. */}
                          <Table.Td miw={96} data-testid="history-date">
                            {date.format(new Date(j.committedAt ?? j.createdAt))}
                          </Table.Td>
                          {/* Long export names may wrap anywhere rather than squeeze the counts. */}
                          <Table.Td style={{ overflowWrap: 'anywhere' }}>
                            {isUndo ? (
                              <Group gap={6} wrap="nowrap">
                                <IconArrowBackUp size={16} aria-hidden color="var(--mantine-color-orange-7)" style={{ flexShrink: 0 }} />
                                <Text size="sm">{t('history.undoOf', { file: undoOfFile })}</Text>
                              </Group>
                            ) : (
                              <Stack gap={2} align="flex-start">
                                <Anchor component={Link} to={`/import/${j.id}`} aria-label={t('history.open', { file: j.fileName })}>
                                  {j.fileName}
                                </Anchor>
                                {j.fileKind === 'TEACHERS' && (
                                  <Badge size="xs" variant="light" color="grape" tt="none">
                                    {t('kind.TEACHERS')}
                                  </Badge>
                                )}
                                {j.source && (
                                  <Text size="xs" c="dimmed" data-testid="history-source">
                                    {sourceLabel(j.source, t)}
                                  </Text>
                                )}
                              </Stack>
                            )}
                          </Table.Td>
                          <Table.Td>
                            <Badge color={s.color} variant="light" tt="none">
                              {t(s.key)}
                            </Badge>
                            {j.status === 'UNDONE' && j.undoneAt && (
                              <Text size="xs" c="dimmed" mt={2} style={{ whiteSpace: 'nowrap' }}>
                                {t('history.undoneAt', { date: date.format(new Date(j.undoneAt)) })}
                              </Text>
                            )}
                            {j.id === undoable && (
                              <Button
                                display="flex"
                                mt={6}
                                size="compact-xs"
                                variant="light"
                                color="orange"
                                leftSection={<IconArrowBackUp size={14} aria-hidden />}
                                onClick={() => setUndoing({ id: j.id, fileName: j.fileName, createdAt: j.createdAt })}
                                aria-label={t('history.undo.aria', { file: j.fileName })}
                                style={{ whiteSpace: 'nowrap' }}
                              >
                                {t('history.undo')}
                              </Button>
                            )}
                          </Table.Td>
                          <Table.Td miw={190}>
                            <Text size="sm">
                              {isUndo && finished
                                ? formatUndoCounts(j, i18n)
                                : finished
                                  ? formatCounts(j, i18n)
                                  : j.status === 'FAILED'
                                    ? j.error
                                    : '—'}
                            </Text>
                          </Table.Td>
                          <Table.Td>
                            {j.reportUrl ? (
                              <Button
                                component="a"
                                href={`${j.reportUrl}?lang=${lang}`}
                                download
                                size="xs"
                                variant="subtle"
                                leftSection={<IconDownload size={14} aria-hidden />}
                                aria-label={t('history.download', { file: j.fileName })}
                              >
                                CSV
                              </Button>
                            ) : (
                              ''
                            )}
                          </Table.Td>
                        </Table.Tr>
                      )
                    })}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <CursorPager
                page={pages.page}
                pageSize={pageSize}
                shown={rows.length}
                total={jobs.totalCount}
                hasNext={jobs.pageInfo.hasNextPage}
                onPrevious={pages.previous}
                onNext={() => pages.next(jobs.pageInfo.endCursor)}
              />
            </>
          )}
        </Stack>
      </Paper>
      <UndoModal job={undoing} onClose={() => setUndoing(null)} onUndone={() => refetch({ requestPolicy: 'network-only' })} />
    </Stack>
  )
}
