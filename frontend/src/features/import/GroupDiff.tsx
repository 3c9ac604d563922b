import { Group, Text, VisuallyHidden } from '@mantine/core'
import { useI18n } from '../../i18n'
import { groupDiff, type GroupChange } from './groups'

/** One group of a membership change: green "+ h4a.ne1" (joined), red struck "- h4a.en2" (left), plain when kept. */
export function GroupChip({ change: c }: { change: GroupChange }) {
  const { t } = useI18n()
  if (c.change === 'kept')
    return (
      <Text span size="xs" c="dimmed" data-change="kept" style={{ whiteSpace: 'nowrap' }}>
        {c.name}
      </Text>
    )
  const joined = c.change === 'joined'
  return (
    <Text
      span
      size="xs"
      fw={600}
      c={joined ? 'teal.9' : 'red.9'}
      bg={joined ? 'teal.0' : 'red.0'}
      px={4}
      data-change={c.change}
      style={{ whiteSpace: 'nowrap', borderRadius: 4 }}
    >
      <span aria-hidden>{joined ? '+ ' : '− '}</span>
      <span data-name style={joined ? undefined : { textDecoration: 'line-through' }}>
        {c.name}
      </span>
      <VisuallyHidden>{` (${t(joined ? 'groupChange.joined' : 'groupChange.left')})`}</VisuallyHidden>
    </Text>
  )
}

/**
 * A change of group memberships, per group: what the import adds, removes and keeps, e.g.
 * "− h4a.en2 + h4a.en3 h4a.ne1". With no groups before or after: "geen".
 */
export function GroupDiff({ before, after }: { before: string; after: string }) {
  const { t } = useI18n()
  const changes = groupDiff(before, after)
  if (changes.length === 0)
    return (
      <Text span size="xs" c="dimmed">
        {t('groupChange.none')}
      </Text>
    )
  return (
    <Group gap={4} wrap="wrap" component="span" data-testid="group-diff">
      {changes.map((c) => (
        <GroupChip key={`${c.change}-${c.name}`} change={c} />
      ))}
    </Group>
  )
}
