import { Alert, Badge, Button, Checkbox, Group, List, SegmentedControl, Select, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core'
import { IconAlertCircle, IconCheck, IconSchool, IconUsers } from '@tabler/icons-react'
import { useMemo, useState } from 'react'
import { useMutation } from 'urql'
import { apiErrors, findError, type ServerProblem } from '../../api/errors'
import { ErrorAlert } from '../../components/ErrorAlert'
import { useI18n, type I18n } from '../../i18n'
import { SetKindMutation, SetMappingMutation } from './documents'
import type { ImportKind } from './groups'
import { formatPercent } from './format'
import { mappingProblems, type MappingField, type MappingProblem } from './mappingProblems'

const none = '__none__'

/** The parts of a job the mapping step reads. */
export interface MappingJob {
  id: string
  /** What the file holds (recognised from the headers or said by the admin); pupils when absent. */
  fileKind?: ImportKind
  columns: { index: number; header: string; samples: string[]; field: string | null; confidence: number }[]
  fields: MappingField[]
  levels: string[]
  /** Level values Numo does not know; decided is false until mapped to a level or to "no level". */
  levelValues: { value: string; count: number; level: string | null; decided: boolean }[]
  /** How many distinct unknown level values the file holds; levelValues lists the most frequent (at most 200). */
  unknownLevelsTotal?: number
  /** NO_LEVEL: every value not decided one by one is imported without a level (this job only). */
  otherLevels?: 'NO_LEVEL' | null
  mappingProblems: ServerProblem[]
}

/** The sentence for a blocking problem, in the current language. */
export function describeMappingProblem(p: MappingProblem, { t, pick }: Pick<I18n, 't' | 'pick'>): string {
  const field = pick(p.field.label, p.field.labelEn)
  if (p.code === 'DOUBLE_MATCH') return t('mapping.problem.double', { field, columns: p.columns.join(', ') })
  return t('mapping.problem.required', { field })
}

/** A level value's decision: a level, noLevel on purpose, or undefined while undecided. */
type LevelChoice = string | undefined

/**
 * Step 2: match each file column to a Numo field and decide every unrecognised level value (a
 * level or "no level"): "Verder" stays disabled until each is decided, so no pupil silently
 * loses a level. Values the server reports later (after a column change) join the list.
 */
export function MappingStep({
  job,
  onBack,
  onDone,
  onKindChanged,
}: {
  job: MappingJob
  onBack: () => void
  onDone: () => void
  /** After the admin said the file holds the other kind: the job has that kind's fields and proposal now. */
  onKindChanged?: () => void
}) {
  const i18n = useI18n()
  const { t, pick, num, lang } = i18n
  const [choice, setChoice] = useState<Record<number, string | null>>(() =>
    Object.fromEntries(job.columns.map((c) => [c.index, c.field])),
  )
  const [levelChoice, setLevelChoice] = useState<Record<string, LevelChoice>>(() =>
    Object.fromEntries(job.levelValues.map((v) => [v.value, v.decided ? (v.level ?? none) : undefined])),
  )
  const [otherNoLevel, setOtherNoLevel] = useState(job.otherLevels === 'NO_LEVEL')
  const [dirty, setDirty] = useState(false)
  const [{ fetching, error }, setMapping] = useMutation(SetMappingMutation)

  const columns = job.columns.map((c) => ({ ...c, field: choice[c.index] ?? null }))
  const problems = mappingProblems(columns, job.fields)
  const invalid = findError(error, 'MAPPING_INVALID')
  // Undecided level values have their own message below; the server's says the same.
  const serverProblems: ServerProblem[] = (invalid ? invalid.problems : dirty ? [] : job.mappingProblems).filter(
    (p) => p.code !== 'unknown_level',
  )
  const levelValues = [
    ...job.levelValues,
    ...(invalid?.unknownLevels ?? []).filter((u) => !job.levelValues.some((v) => v.value === u.value)),
  ]
  const open = levelValues.filter((v) => levelChoice[v.value] === undefined)
  // "All other values: no level" decides the open values, and those the list does not show.
  const undecided = otherNoLevel ? [] : open
  const unlisted = (job.unknownLevelsTotal ?? 0) - job.levelValues.length
  // Values the list does not show can only be decided by "all other values: no level".
  const unlistedOpen = unlisted > 0 && !otherNoLevel
  const blocked = problems.length > 0 || undecided.length > 0 || unlistedOpen

  const fieldOptions = useMemo(
    () => [
      { value: none, label: t('mapping.noField') },
      ...job.fields.map((f) => ({ value: f.name, label: `${pick(f.label, f.labelEn)}${f.required ? ' *' : ''}` })),
    ],
    [job.fields, t, pick],
  )
  const levelOptions = useMemo(
    () => [{ value: none, label: t('mapping.noLevel') }, ...job.levels.map((l) => ({ value: l, label: l }))],
    [job.levels, t],
  )
  const doubled = new Set(problems.flatMap((p) => (p.code === 'DOUBLE_MATCH' ? [p.field.name] : [])))
  const matched = new Set(columns.flatMap((c) => (c.field ? [c.field] : [])))

  const submit = async () => {
    const result = await setMapping({
      jobId: job.id,
      columns: columns.map((c) => ({ column: c.index, field: c.field })),
      // Every decided value; level null is "no level" on purpose.
      levels: levelValues.flatMap(({ value }) => {
        const level = levelChoice[value]
        return level === undefined ? [] : [{ value, level: level === none ? null : level }]
      }),
      otherLevels: otherNoLevel ? 'NO_LEVEL' : null,
    })
    if (result.data?.setMapping) onDone()
  }

  return (
    <Stack gap="md">
      <Title order={2}>{t('mapping.title')}</Title>
      <KindBanner jobId={job.id} kind={job.fileKind ?? 'PUPILS'} onChanged={onKindChanged} />
      <Text>{t('mapping.intro')}</Text>
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing="xs" striped highlightOnHover aria-label={t('mapping.table.aria')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('mapping.col.column')}</Table.Th>
              <Table.Th scope="col">{t('mapping.col.samples')}</Table.Th>
              <Table.Th scope="col" w={300}>
                {t('mapping.col.field')}
              </Table.Th>
              <Table.Th scope="col" w={170}>
                {t('mapping.col.match')}
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {job.columns.map((col) => {
              const current = choice[col.index] ?? null
              const auto = col.field !== null && current === col.field && col.confidence > 0
              return (
                <Table.Tr key={col.index}>
                  <Table.Td>
                    <Text fw={600}>{col.header || t('mapping.unnamed', { n: col.index + 1 })}</Text>
                    <Text size="xs" c="dimmed">
                      {t('mapping.columnN', { n: col.index + 1 })}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {col.samples.length ? (
                      <Stack gap={0}>
                        {col.samples.slice(0, 3).map((v) => (
                          <Text key={v} size="sm" truncate="end" maw={{ base: 150, md: 280 }} title={v}>
                            {v}
                          </Text>
                        ))}
                      </Stack>
                    ) : (
                      <Text size="sm" c="dimmed">
                        {t('mapping.noSamples')}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Select
                      aria-label={t('mapping.select.aria', { column: col.header || String(col.index + 1) })}
                      data={fieldOptions}
                      value={current ?? none}
                      allowDeselect={false}
                      error={current !== null && doubled.has(current)}
                      onChange={(v) => {
                        setChoice((c) => ({ ...c, [col.index]: v === none || v === null ? null : v }))
                        setDirty(true)
                      }}
                      comboboxProps={{ withinPortal: true }}
                      maxDropdownHeight={320}
                    />
                  </Table.Td>
                  <Table.Td>
                    {auto ? (
                      <Badge color={col.confidence >= 0.8 ? 'teal' : 'yellow'} variant="light" tt="none">
                        {t('mapping.auto', { percent: formatPercent(col.confidence * 100, lang) })}
                      </Badge>
                    ) : current !== null ? (
                      <Badge color="blue" variant="light" tt="none">
                        {t('mapping.manual')}
                      </Badge>
                    ) : (
                      <Text size="sm" c="dimmed">
                        {t('mapping.notMatched')}
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              )
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>

      <Group gap="xs" aria-label={t('mapping.required.aria')} role="list">
        <Text size="sm" fw={500}>
          {t('mapping.required')}
        </Text>
        {job.fields
          .filter((f) => f.required)
          .map((f) => (
            <Badge
              key={f.name}
              role="listitem"
              variant="outline"
              tt="none"
              color={matched.has(f.name) ? 'teal' : 'red'}
              leftSection={matched.has(f.name) ? <IconCheck size={12} aria-hidden /> : <IconAlertCircle size={12} aria-hidden />}
            >
              {pick(f.label, f.labelEn)}
              <VisuallyHidden>{matched.has(f.name) ? t('mapping.isMatched') : t('mapping.isNotMatched')}</VisuallyHidden>
            </Badge>
          ))}
      </Group>

      {levelValues.length > 0 && (
        <Stack gap="xs">
          <Title order={3} size="h4">
            {t('mapping.levels.title')}
          </Title>
          <Text size="sm">{t('mapping.levels.intro')}</Text>
          <Table.ScrollContainer minWidth={480}>
            <Table verticalSpacing="xs" aria-label={t('mapping.levels.title')} maw={720}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('mapping.levels.value')}</Table.Th>
                  <Table.Th scope="col">{t('mapping.levels.count')}</Table.Th>
                  <Table.Th scope="col" w={280}>
                    {t('mapping.levels.level')}
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {levelValues.map((v) => (
                  <Table.Tr key={v.value}>
                    <Table.Td>
                      <Text fw={500}>{v.value || t('mapping.levels.empty')}</Text>
                    </Table.Td>
                    <Table.Td>{num(v.count)}</Table.Td>
                    <Table.Td>
                      <Select
                        aria-label={t('mapping.levels.select.aria', { value: v.value })}
                        data={levelOptions}
                        placeholder={t('mapping.levels.choose')}
                        value={levelChoice[v.value] ?? null}
                        allowDeselect={false}
                        error={!otherNoLevel && levelChoice[v.value] === undefined}
                        onChange={(l) => {
                          setLevelChoice((c) => ({ ...c, [v.value]: l ?? undefined }))
                          setDirty(true)
                        }}
                      />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {unlisted > 0 && (
            <Alert color="yellow" icon={<IconAlertCircle aria-hidden />} data-testid="levels-more">
              {t('mapping.levels.more', { total: num(job.unknownLevelsTotal ?? 0), listed: num(job.levelValues.length) })}
            </Alert>
          )}
          {(open.length > 0 || unlisted > 0 || otherNoLevel) && (
            <Checkbox
              label={t('mapping.levels.other')}
              description={t('mapping.levels.other.hint')}
              checked={otherNoLevel}
              onChange={(e) => {
                setOtherNoLevel(e.currentTarget.checked)
                setDirty(true)
              }}
            />
          )}
        </Stack>
      )}

      {blocked && (
        <Alert color="orange" icon={<IconAlertCircle aria-hidden />} title={t('mapping.blocked')} id="mapping-problems">
          <List size="sm">
            {problems.map((p) => (
              <List.Item key={`${p.code}-${p.field.name}`}>{describeMappingProblem(p, i18n)}</List.Item>
            ))}
            {undecided.length > 0 && (
              <List.Item>
                {t('mapping.levels.undecided', {
                  values: undecided.map((v) => t('mapping.levels.valueCount', { value: v.value, count: num(v.count) })).join(', '),
                })}
              </List.Item>
            )}
            {unlistedOpen && <List.Item>{i18n.plural('mapping.levels.unlisted', unlisted)}</List.Item>}
          </List>
        </Alert>
      )}
      {serverProblems.length > 0 && (
        <Alert color="red" icon={<IconAlertCircle aria-hidden />} title={t('mapping.serverProblems')} role="alert">
          <List size="sm">
            {serverProblems.map((p, i) => (
              <List.Item key={i}>
                {pick(p.message, p.messageEn)}
                {p.column != null && p.column !== '' ? ` (${t('mapping.columnRef', { column: String(p.column) })})` : ''}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
      {error && !invalid && apiErrors(error).length > 0 && <ErrorAlert error={error} />}

      <Group justify="space-between">
        <Button variant="default" onClick={onBack}>
          {t('common.back')}
        </Button>
        <Button
          onClick={() => void submit()}
          loading={fetching}
          disabled={blocked}
          aria-describedby={blocked ? 'mapping-problems' : undefined}
        >
          {t('common.next')}
        </Button>
      </Group>
    </Stack>
  )
}

/**
 * What the file holds, as Numo recognised it from the headers ("Dit bestand bevat docenten"),
 * with a switch to say otherwise: Numo then proposes the mapping for the other kind's fields.
 */
export function KindBanner({ jobId, kind, onChanged }: { jobId: string; kind: ImportKind; onChanged?: () => void }) {
  const { t } = useI18n()
  const [{ fetching, error }, setKind] = useMutation(SetKindMutation)
  const teachers = kind === 'TEACHERS'
  const change = async (next: ImportKind) => {
    if (next === kind) return
    const result = await setKind({ jobId, kind: next })
    if (result.data?.setMapping) onChanged?.()
  }
  return (
    <Alert
      color={teachers ? 'grape' : 'blue'}
      variant="light"
      icon={teachers ? <IconSchool aria-hidden /> : <IconUsers aria-hidden />}
      title={t(teachers ? 'mapping.kind.title.TEACHERS' : 'mapping.kind.title.PUPILS')}
      data-testid="file-kind"
    >
      <Stack gap="xs">
        <Text size="sm">{t(teachers ? 'mapping.kind.text.TEACHERS' : 'mapping.kind.text.PUPILS')}</Text>
        <Group gap="sm" align="center">
          <Text size="sm" id="file-kind-label">
            {t('mapping.kind.wrong')}
          </Text>
          <SegmentedControl
            aria-labelledby="file-kind-label"
            value={kind}
            disabled={fetching}
            onChange={(v) => void change(v as ImportKind)}
            data={[
              { value: 'PUPILS', label: t('kind.PUPILS') },
              { value: 'TEACHERS', label: t('kind.TEACHERS') },
            ]}
          />
        </Group>
        <ErrorAlert error={error} title={t('mapping.kind.failed')} />
      </Stack>
    </Alert>
  )
}
