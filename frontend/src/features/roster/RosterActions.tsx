import { Button, Group, Paper, Select, Text } from '@mantine/core'
import { IconArchive, IconArrowsExchange, IconDownload, IconX } from '@tabler/icons-react'
import { useState } from 'react'
import { useNavigate } from 'react-router'
import { useMutation, useQuery } from 'urql'
import { ErrorAlert } from '../../components/ErrorAlert'
import { useI18n } from '../../i18n'
import { ClassesQuery, PlanRosterChangeMutation } from './documents'

/** The most pupils one roster change may select (the server's jobs.MaxRosterChange). */
export const maxRosterChange = 2000

/**
 * What the admin can do with the pupils selected on a class page: move them to another
 * stamklas, or archive them. Either makes a small import of the school that is previewed at
 * once; the wizard then shows its preview (before → after, the counts, the confirmation), and
 * the history can undo it like any import.
 */
export function RosterActionsBar({
  schoolId,
  classId,
  selected,
  onClear,
}: {
  schoolId: string
  /** The class the page shows: not offered as the target. */
  classId: string
  selected: string[]
  onClear: () => void
}) {
  const { t, plural } = useI18n()
  const navigate = useNavigate()
  const [target, setTarget] = useState<string | null>(null)
  const [{ data }] = useQuery({
    query: ClassesQuery,
    variables: { schoolId, search: null, kinds: ['STAMKLAS'] },
    pause: selected.length === 0,
  })
  const [state, plan] = useMutation(PlanRosterChangeMutation)
  if (selected.length === 0) return null
  const node = data?.node
  const options =
    node?.__typename === 'School'
      ? (node.classes.edges ?? []).flatMap((e) => (e?.node && e.node.id !== classId ? [{ value: e.node.id, label: e.node.name }] : []))
      : []
  const tooMany = selected.length > maxRosterChange

  const run = async (vars: { moveToClassId?: string; archive?: boolean }) => {
    const r = await plan({ schoolId, accountIds: selected, ...vars })
    const job = r.data?.planRosterChange
    if (job) navigate(`/import/${job.id}`, { state: { fromRoster: true } })
  }

  return (
    <Paper withBorder p="sm" radius="md" bg="var(--mantine-color-default-hover)" role="region" aria-label={t('rosterActions.region')}>
      {/* The count and "clear" on a row of their own, the actions on the next: in one row the
          bar wrapped at 1280 px, leaving Archiveren alone on a second line (issue 17). */}
      <Group gap="sm" justify="space-between" wrap="nowrap">
        <Text size="sm" fw={600} aria-live="polite">
          {plural('rosterActions.selected', selected.length)}
        </Text>
        <Button size="compact-sm" variant="subtle" color="gray" leftSection={<IconX size={16} aria-hidden />} onClick={onClear}>
          {t('rosterActions.clear')}
        </Button>
      </Group>
      <Group gap="sm" align="flex-end" wrap="wrap" mt={4}>
        <Group gap="sm" align="flex-end" wrap="nowrap">
          <Select
            label={t('rosterActions.moveTo')}
            placeholder={t('rosterActions.moveTo.placeholder')}
            data={options}
            value={target}
            onChange={setTarget}
            searchable
            size="sm"
            w={200}
            comboboxProps={{ withinPortal: true }}
          />
          <Button
            size="sm"
            leftSection={<IconArrowsExchange size={16} aria-hidden />}
            disabled={!target || tooMany}
            loading={state.fetching}
            onClick={() => target && void run({ moveToClassId: target })}
          >
            {t('rosterActions.move')}
          </Button>
        </Group>
        <Button
          size="sm"
          variant="light"
          color="orange"
          leftSection={<IconArchive size={16} aria-hidden />}
          disabled={tooMany}
          loading={state.fetching}
          onClick={() => void run({ archive: true })}
        >
          {t('rosterActions.archive')}
        </Button>
      </Group>
      <Text size="xs" c="dimmed" mt={6}>
        {tooMany ? t('rosterActions.tooMany', { max: String(maxRosterChange) }) : t('rosterActions.hint')}
      </Text>
      {state.error && <ErrorAlert error={state.error} />}
    </Paper>
  )
}

/** A button that downloads a class's list of pupils as CSV, headers in the app's language. */
export function RosterCsvButton({ url, name }: { url: string | null | undefined; name: string }) {
  const { t, lang } = useI18n()
  if (!url) return null
  return (
    <Button
      component="a"
      href={`${url}?lang=${lang}`}
      download
      size="xs"
      variant="default"
      leftSection={<IconDownload size={14} aria-hidden />}
      aria-label={t('roster.downloadCsv.aria', { name })}
    >
      {t('roster.downloadCsv')}
    </Button>
  )
}
