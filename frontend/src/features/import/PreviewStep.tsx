import {
  Alert,
  Badge,
  Button,
  Chip,
  Group,
  List,
  NumberInput,
  Pagination,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { useDebouncedValue, useMediaQuery } from '@mantine/hooks'
import { IconAlertTriangle, IconDownload, IconInfoCircle, IconSearch } from '@tabler/icons-react'
import { useEffect, useState } from 'react'
import { useMutation, useQuery } from 'urql'
import { findError } from '../../api/errors'
import { ErrorAlert } from '../../components/ErrorAlert'
import { Loading } from '../../components/Loading'
import type { ImportAction, ImportPreviewQuery, PreviewOutcome } from '../../gql/graphql'
import { useI18n, type MessageKey } from '../../i18n'
import { ClassSummary } from './ClassSummary'
import { CorrectionsQuery, type CellCorrection, type FileColumn } from './corrections'
import { CorrectRow, RowCheckAlert, type RowCheck } from './CorrectRow'
import { DamagedValuesAlert } from './DamagedValuesAlert'
import { CommitMutation, PreviewMutation, PreviewQuery } from './documents'
import { changeValue } from './format'
import { GroupDiff } from './GroupDiff'
import { formatGroupCounts, isGroupField, kindKey, kindWord, type ImportKind } from './groups'
import { yearGuardConfirmed } from './yearGuard'
import { YearGuardAlert } from './YearGuardAlert'

/** Rows per page of the previewed user list. */
export const previewPageSize = 50

type Preview = NonNullable<Extract<NonNullable<ImportPreviewQuery['node']>, { __typename: 'ImportJob' }>['preview']>
type PreviewUser = Preview['users']['items'][number]

const outcomes: { value: PreviewOutcome | 'ALL'; key: MessageKey; count: (c: Preview['counts']) => number }[] = [
  { value: 'ALL', key: 'outcome.all', count: (c) => c.added + c.updated + c.archived + c.unchanged + c.skipped + c.refused },
  { value: 'NEW', key: 'outcome.new', count: (c) => c.added },
  { value: 'UPDATED', key: 'outcome.updated', count: (c) => c.updated },
  { value: 'ARCHIVED', key: 'outcome.archived', count: (c) => c.archived },
  { value: 'UNCHANGED', key: 'outcome.unchanged', count: (c) => c.unchanged },
  { value: 'SKIPPED', key: 'outcome.skipped', count: (c) => c.skipped },
  { value: 'REFUSED', key: 'outcome.refused', count: (c) => c.refused },
]

const outcomeColor: Record<PreviewOutcome, string> = {
  NEW: 'teal',
  UPDATED: 'blue',
  ARCHIVED: 'orange',
  UNCHANGED: 'gray',
  SKIPPED: 'yellow',
  REFUSED: 'red',
}

/** Joins roepnaam, tussenvoegsel and achternaam the way a name is written. */
export function fullName(u: { firstName: string; infix: string; lastName: string }): string {
  return [u.firstName, u.infix, u.lastName].filter(Boolean).join(' ')
}

/** Step 4: the resulting user list by outcome, the warnings, and the archive and year guards before "Importeer". */
export function PreviewStep({
  jobId,
  kind = 'PUPILS',
  fieldLabel,
  onBack,
  onCommitted,
  onActions,
}: {
  jobId: string
  /** What the file holds: the texts speak of pupils or teachers, the columns follow. */
  kind?: ImportKind
  fieldLabel: (field: string) => string
  onBack: () => void
  onCommitted: () => void
  /** Tells the wizard which actions this preview was made with (after a reload too). */
  onActions?: (actions: ImportAction[]) => void
}) {
  const i18n = useI18n()
  const { t, pick, num, plural } = i18n
  const [outcome, setOutcome] = useState<PreviewOutcome | 'ALL'>('ALL')
  const [search, setSearch] = useState('')
  const [debouncedSearch] = useDebouncedValue(search.trim(), 300)
  const [page, setPage] = useState(1)
  const [confirm, setConfirm] = useState<number | ''>('')
  const [confirmYearDown, setConfirmYearDown] = useState<number | ''>('')
  const [showWarnings, setShowWarnings] = useState(false)

  const [{ data, fetching, error }, refetch] = useQuery({
    query: PreviewQuery,
    variables: {
      id: jobId,
      outcome: outcome === 'ALL' ? null : outcome,
      search: debouncedSearch || null,
      offset: (page - 1) * previewPageSize,
      limit: previewPageSize,
    },
    requestPolicy: 'network-only',
  })
  // The file's columns, the corrections made in the app, the refused rows download and the
  // summary per class (issue 17): apart from the page of users, so paging does not repeat them.
  const [corrections, refetchCorrections] = useQuery({ query: CorrectionsQuery, variables: { id: jobId }, requestPolicy: 'network-only' })
  const [check, setCheck] = useState<RowCheck | null>(null)
  const narrowScreen = useMediaQuery('(max-width: 62em)')
  const [commitState, commit] = useMutation(CommitMutation)
  const [previewState, rePreview] = useMutation(PreviewMutation)

  // Keep showing the last page while the next one loads, instead of flashing a spinner.
  const [last, setLast] = useState<Preview | null>(null)
  const node = data?.node
  const fresh = node?.__typename === 'ImportJob' ? node.preview : null
  if (fresh && fresh !== last) setLast(fresh)
  const preview = fresh ?? last
  const cjob = corrections.data?.node?.__typename === 'ImportJob' ? corrections.data.node : null
  const previewActions = preview?.actions.join(',')
  useEffect(() => {
    if (previewActions !== undefined) onActions?.(previewActions ? (previewActions.split(',') as ImportAction[]) : [])
  }, [previewActions, onActions])

  if (!preview) {
    if (error) return <ErrorAlert error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
    if (fetching) return <Loading label={t('preview.loading')} />
    return <Alert color="yellow">{t('preview.none')}</Alert>
  }

  const guard = preview.archiveGuard
  const yearGuard = preview.yearGuard
  const confirmed = (!guard.confirmationRequired || confirm === guard.toArchive) && yearGuardConfirmed(yearGuard, confirmYearDown)
  const stale = findError(commitState.error, 'STALE_PREVIEW')
  const otherCommitError = commitState.error && !stale ? commitState.error : null
  const pages = Math.max(1, Math.ceil(preview.users.total / previewPageSize))
  // The damaged values have their own boxes at the top: their warnings are not repeated below.
  const damagedLines = new Set(preview.damagedValues.map((d) => d.line))
  const warnings = preview.warnings.filter(
    (w) => w.code !== 'kept_damaged' && !(w.code === 'question_mark' && damagedLines.has(w.line)),
  )
  const warningsShown = showWarnings ? warnings : warnings.slice(0, 5)
  const groupCounts = formatGroupCounts(preview.counts, kind, i18n)
  const teachers = kind === 'TEACHERS'
  // A pupil file without a lesgroepen column changes no group: its preview has no groups column.
  const showGroups =
    teachers || !!groupCounts || preview.groupsToCreate.length > 0 || preview.users.items.some((u) => u.groups.length > 0)
  // Below 62em (a tablet held upright) the changes and reasons get a row of their own under
  // their user instead of a last column that the table would scroll out of view.
  const narrow = !!narrowScreen
  const columns = (narrow ? 3 : 4) + (teachers ? 0 : 3) + (showGroups ? 1 : 0)

  const correcting = {
    jobId,
    columns: cjob?.columns ?? [],
    corrections: cjob?.corrections ?? [],
    onChecked: (c: RowCheck) => {
      setCheck(c)
      setConfirm('')
      setConfirmYearDown('')
      refetch({ requestPolicy: 'network-only' })
      refetchCorrections({ requestPolicy: 'network-only' })
    },
  }

  const doCommit = async () => {
    const result = await commit({
      jobId,
      confirmArchive: guard.confirmationRequired ? Number(confirm) : null,
      confirmYearDown: yearGuard.confirmationRequired ? Number(confirmYearDown) : null,
    })
    if (result.data?.commit) onCommitted()
  }
  const doRePreview = async () => {
    const result = await rePreview({ jobId, actions: preview.actions })
    if (result.data?.preview) {
      setConfirm('')
      setConfirmYearDown('')
      refetch({ requestPolicy: 'network-only' })
    }
  }

  return (
    <Stack gap="md">
      <Title order={2}>{t('preview.title')}</Title>
      <Text>{t(kindKey('preview.intro', kind))}</Text>
      {/* Warnings first (they ask for a decision), then what the import does per class. */}
      <YearGuardAlert guard={yearGuard} value={confirmYearDown} onChange={setConfirmYearDown} />
      <DamagedValuesAlert values={preview.damagedValues} />
      {cjob?.preview && <ClassSummary summary={cjob.preview.classSummary} kind={kind} />}

      <Chip.Group
        value={outcome}
        onChange={(v) => {
          setOutcome(v as PreviewOutcome | 'ALL')
          setPage(1)
        }}
      >
        <Group gap="xs" role="radiogroup" aria-label={t(kindKey('preview.filter.aria', kind))}>
          {outcomes.map((o) => (
            <Chip key={o.value} value={o.value} variant="outline" color={o.value === 'ALL' ? 'indigo' : outcomeColor[o.value]}>
              {`${t(o.key)} (${num(o.count(preview.counts))})`}
            </Chip>
          ))}
        </Group>
      </Chip.Group>
      <GroupSummary
        counts={groupCounts}
        toCreate={preview.groupsToCreate}
        title={t('preview.groupsToCreate', { n: num(preview.groupsToCreate.length) })}
      />
      {preview.classesToCreate.length > 0 && !cjob?.preview && (
        <Stack gap={6}>
          <Title order={3} size="h5">
            {t('preview.classesToCreate', { n: preview.classesToCreate.length })}
          </Title>
          <Group gap={6}>
            {preview.classesToCreate.map((c) => (
              <Badge key={c} variant="light" tt="none">
                {c}
              </Badge>
            ))}
          </Group>
        </Stack>
      )}

      {warnings.length > 0 && (
        <Alert color="yellow" icon={<IconInfoCircle aria-hidden />} title={t('preview.warnings', { n: warnings.length })}>
          <List size="sm">
            {warningsShown.map((w, i) => (
              <List.Item key={i}>
                {w.line > 0 ? `${w.sourceFile ? t('set.line', { file: w.sourceFile, n: w.line }) : t('preview.lineN', { n: w.line })}: ` : ''}
                {pick(w.message, w.messageEn)}
              </List.Item>
            ))}
          </List>
          {warnings.length > 5 && (
            <Button variant="subtle" size="xs" mt="xs" onClick={() => setShowWarnings((s) => !s)} aria-expanded={showWarnings}>
              {showWarnings ? t('preview.warnings.less') : t('preview.warnings.more', { n: warnings.length })}
            </Button>
          )}
        </Alert>
      )}

      {preview.counts.refused > 0 && (
        <Group gap="sm" justify="space-between" wrap="wrap" data-testid="refused-help">
          <Text size="sm" maw={640}>
            {t('correct.hint')}
          </Text>
          {cjob?.refusedRowsUrl && (
            <Button
              component="a"
              href={`${cjob.refusedRowsUrl}?lang=${i18n.lang}`}
              download
              variant="light"
              size="xs"
              leftSection={<IconDownload size={16} aria-hidden />}
            >
              {t('refused.download')}
            </Button>
          )}
        </Group>
      )}
      {check && <RowCheckAlert check={check} onClose={() => setCheck(null)} />}

      <TextInput
        label={t('preview.search')}
        placeholder={t(kindKey('preview.search.placeholder', kind))}
        leftSection={<IconSearch size={16} aria-hidden />}
        value={search}
        onChange={(e) => {
          setSearch(e.currentTarget.value)
          setPage(1)
        }}
        maw={420}
      />

      {/* The list scrolls in its own box, so the counts above and Importeer below stay in view. */}
      <Table.ScrollContainer minWidth={narrow ? 0 : 860} maxHeight="max(320px, calc(100vh - 420px))">
        <Table striped stickyHeader verticalSpacing={6} aria-label={t(kindKey('preview.table.aria', kind))} aria-busy={fetching}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('preview.col.line')}</Table.Th>
              <Table.Th scope="col" style={{ whiteSpace: 'nowrap' }}>
                {t(kindKey('preview.col.key', kind))}
              </Table.Th>
              <Table.Th scope="col" style={{ whiteSpace: 'nowrap' }}>
                {t('preview.col.name')}
              </Table.Th>
              {!teachers && (
                <>
                  <Table.Th scope="col">{t('preview.col.class')}</Table.Th>
                  <Table.Th scope="col">{t('preview.col.level')}</Table.Th>
                  <Table.Th scope="col">{t('preview.col.year')}</Table.Th>
                </>
              )}
              {showGroups && <Table.Th scope="col">{t(kindKey('preview.col.groups', kind))}</Table.Th>}
              <Table.Th scope="col">{t('preview.col.outcome')}</Table.Th>
              {!narrow && <Table.Th scope="col">{t('preview.col.details')}</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {preview.users.items.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={columns}>
                  <Text c="dimmed" ta="center" py="sm">
                    {t(kindKey('preview.empty', kind))}
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
            {preview.users.items.map((u, i) => (
              <UserRow
                key={`${u.key}-${u.line ?? 'a'}-${i}`}
                user={u}
                fieldLabel={fieldLabel}
                teachers={teachers}
                showGroups={showGroups}
                columns={columns}
                narrow={narrow}
                correcting={correcting}
              />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="space-between">
        <Text size="sm" c="dimmed" aria-live="polite">
          {plural(`preview.total.${kindWord(kind)}`, preview.users.total)}
        </Text>
        {pages > 1 && (
          <Pagination
            total={pages}
            value={page}
            onChange={setPage}
            size="sm"
            getControlProps={(control) => ({
              'aria-label': control === 'previous' ? t('pager.previous') : control === 'next' ? t('pager.next') : undefined,
            })}
            getItemProps={(p) => ({ 'aria-label': t('pager.page', { n: p }) })}
          />
        )}
      </Group>

      {guard.confirmationRequired && (
        <Alert color="red" icon={<IconAlertTriangle aria-hidden />} title={t('preview.guard.title')}>
          <Stack gap="xs">
            <Text size="sm">
              {t(kindKey('preview.guard.text', kind), {
                n: num(guard.toArchive),
                active: num(guard.activePupils),
                percent: guard.thresholdPercent,
              })}
            </Text>
            <NumberInput
              label={t('preview.guard.input', { n: num(guard.toArchive) })}
              value={confirm}
              onChange={(v) => setConfirm(typeof v === 'number' ? v : v === '' ? '' : Number(v))}
              allowDecimal={false}
              allowNegative={false}
              hideControls
              styles={{ input: { maxWidth: 200 } }}
              error={confirm !== '' && confirm !== guard.toArchive ? t('preview.guard.mismatch') : undefined}
            />
          </Stack>
        </Alert>
      )}

      {stale && (
        <Alert color="orange" icon={<IconAlertTriangle aria-hidden />} title={t('preview.stale.title')} role="alert">
          <Stack gap="xs">
            <Text size="sm">{t('preview.stale.text')}</Text>
            <Group>
              <Button size="xs" onClick={() => void doRePreview()} loading={previewState.fetching}>
                {t('preview.stale.again')}
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
      <ErrorAlert error={otherCommitError} title={t('preview.commitFailed')} />
      <ErrorAlert error={previewState.error} />

      <Group justify="space-between">
        <Button variant="default" onClick={onBack}>
          {t('common.back')}
        </Button>
        <Button onClick={() => void doCommit()} loading={commitState.fetching} disabled={!confirmed || !!stale} color="teal">
          {t('preview.commit')}
        </Button>
      </Group>
    </Stack>
  )
}

interface Correcting {
  jobId: string
  columns: readonly FileColumn[]
  corrections: readonly CellCorrection[]
  onChecked: (c: RowCheck) => void
}

function UserRow({
  user: u,
  fieldLabel,
  teachers,
  showGroups,
  columns,
  narrow,
  correcting,
}: {
  user: PreviewUser
  fieldLabel: (f: string) => string
  teachers: boolean
  showGroups: boolean
  columns: number
  narrow: boolean
  correcting: Correcting
}) {
  const { t } = useI18n()
  const refused = u.outcome === 'REFUSED'
  const details = <UserDetails user={u} fieldLabel={fieldLabel} />
  const detailsRow = narrow && !refused && hasDetails(u)
  return (
    <>
      <Table.Tr style={refused ? { borderBottom: 0 } : undefined}>
        <Table.Td>{u.line == null ? '—' : u.sourceFile ? `${u.sourceFile}:${u.line}` : u.line}</Table.Td>
        <Table.Td>{u.key}</Table.Td>
        <Table.Td>
          <Text size="sm" fw={500} style={{ whiteSpace: 'nowrap' }}>
            {fullName(u)}
          </Text>
          {u.email && (
            <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
              {u.email}
            </Text>
          )}
        </Table.Td>
        {!teachers && (
          <>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>{u.className}</Table.Td>
            <Table.Td>{u.level}</Table.Td>
            <Table.Td>{u.year ?? ''}</Table.Td>
          </>
        )}
        {showGroups && (
          <Table.Td>
            <UserGroups user={u} teachers={teachers} />
          </Table.Td>
        )}
        <Table.Td>
          <Badge color={outcomeColor[u.outcome]} variant="light" tt="none" style={{ overflow: 'visible' }}>
            {t(`outcome.one.${u.outcome}` as MessageKey)}
          </Badge>
        </Table.Td>
        {!narrow && <Table.Td>{details}</Table.Td>}
      </Table.Tr>
      {detailsRow && (
        <Table.Tr data-testid="user-details">
          <Table.Td colSpan={columns} pt={0} pl="xl">
            {details}
          </Table.Td>
        </Table.Tr>
      )}
      {refused && <RefusedRowDetails user={u} columns={columns} correcting={correcting} />}
    </>
  )
}

/** Whether a user has changes or a note to show (UserDetails). */
function hasDetails(u: PreviewUser): boolean {
  return (u.outcome === 'UPDATED' && u.changes.some((c) => !isGroupField(c.field))) || u.outcome === 'SKIPPED' || u.outcome === 'ARCHIVED'
}

/** An updated user's changes before → after, or why a user is skipped or archived. */
function UserDetails({ user: u, fieldLabel }: { user: PreviewUser; fieldLabel: (f: string) => string }) {
  const { t } = useI18n()
  const otherChanges = u.changes.filter((c) => !isGroupField(c.field))
  return (
    <>
      {u.outcome === 'UPDATED' && otherChanges.length > 0 && (
        <List size="xs" listStyleType="none" spacing={2}>
          {otherChanges.map((c) => (
            <List.Item key={c.field}>
              <Text span size="xs" c="dimmed">
                {fieldLabel(c.field)}:{' '}
              </Text>
              <Text span size="xs" style={{ overflowWrap: 'anywhere' }}>
                {changeValue(c.before, t) || '∅'} → <b>{changeValue(c.after, t) || '∅'}</b>
              </Text>
            </List.Item>
          ))}
        </List>
      )}
      {u.outcome === 'SKIPPED' && (
        <Text size="xs" c="dimmed">
          {t('preview.skipped')}
        </Text>
      )}
      {u.outcome === 'ARCHIVED' && (
        <Text size="xs" c="dimmed">
          {t('preview.notInFile')}
        </Text>
      )}
    </>
  )
}

/**
 * A refused row's reasons and its correction, in a row of their own under it across the whole
 * table: the reason is read where the admin looks (the row's start), never in a last column
 * scrolled out of view, and stays in view when the table scrolls sideways on a tablet.
 */
function RefusedRowDetails({ user: u, columns, correcting }: { user: PreviewUser; columns: number; correcting: Correcting }) {
  const { pick } = useI18n()
  return (
    <Table.Tr data-testid="refused-details">
      <Table.Td colSpan={columns} pt={0}>
        <Group
          gap="md"
          align="flex-start"
          wrap="wrap"
          style={{ position: 'sticky', left: 0, maxWidth: 'min(100%, calc(100vw - 3rem))' }}
        >
          <List size="sm" listStyleType="none" spacing={2} style={{ flex: '1 1 260px' }}>
            {u.reasons.map((r, i) => (
              <List.Item key={i}>
                <Text span size="sm" c="red.9">
                  {r.column ? `${r.column}: ` : ''}
                  {pick(r.message, r.messageEn)}
                </Text>
              </List.Item>
            ))}
          </List>
          {u.line != null && (
            <CorrectRow
              jobId={correcting.jobId}
              row={{ ...u, line: u.line }}
              columns={correcting.columns}
              corrections={correcting.corrections}
              onChecked={correcting.onChecked}
            />
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  )
}

/**
 * A user's groups in the preview: per group what the import adds (green +) and removes (red,
 * struck through) when they change, otherwise the groups as they will be; for a teacher also the
 * classes they mentor.
 */
function UserGroups({ user: u, teachers }: { user: PreviewUser; teachers: boolean }) {
  const { t } = useI18n()
  const change = (field: string) => (u.outcome === 'UPDATED' ? u.changes.find((c) => c.field === field) : undefined)
  const groups = change(teachers ? 'teaches' : 'groups')
  const mentor = change('mentorOf')
  const list = (names: readonly string[]) => (
    <Text span size="xs">
      {names.join(', ')}
    </Text>
  )
  return (
    <Stack gap={2}>
      {groups ? (
        <GroupDiff before={groups.before} after={groups.after} />
      ) : (
        // A teacher's mentor class is a group of theirs too; it shows once, on the mentor line.
        list(teachers ? u.groups.filter((g) => !u.mentorOf.includes(g)) : u.groups)
      )}
      {teachers && (mentor || u.mentorOf.length > 0) && (
        <Group gap={4} wrap="wrap">
          <Text span size="xs" c="dimmed">
            {t('preview.mentorOf')}
          </Text>
          {mentor ? <GroupDiff before={mentor.before} after={mentor.after} /> : list(u.mentorOf)}
        </Group>
      )}
    </Stack>
  )
}

/** The preview's (or report's) group line: memberships added and removed, and the lesgroepen it creates. */
export function GroupSummary({ counts, toCreate, title }: { counts: string | null; toCreate: readonly string[]; title: string }) {
  const { t } = useI18n()
  if (!counts && toCreate.length === 0) return null
  return (
    <Stack gap={6} data-testid="group-summary">
      <Title order={3} size="h5">
        {t('preview.groups.title')}
      </Title>
      {counts && (
        <Text size="sm" data-testid="group-counts">
          {counts}
        </Text>
      )}
      {toCreate.length > 0 && (
        <Group gap={6} aria-label={title} role="list">
          <Text size="sm" c="dimmed">
            {title}:
          </Text>
          {toCreate.map((g) => (
            <Badge key={g} role="listitem" variant="light" color="grape" tt="none">
              {g}
            </Badge>
          ))}
        </Group>
      )}
    </Stack>
  )
}
