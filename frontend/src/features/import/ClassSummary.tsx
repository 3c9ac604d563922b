import { Badge, Button, Group, List, Paper, Stack, Text, Title } from '@mantine/core'
import { useState } from 'react'
import { useI18n } from '../../i18n'
import { kindWord, type ImportKind } from './groups'

/** What the import does per class (ImportPreview.classSummary). */
export interface ClassSummaryData {
  moves: readonly { from?: string | null; to: string; count: number }[]
  movesTotal: number
  emptyClasses: readonly string[]
  newClasses: readonly string[]
  withoutEmail: number
}

/** How many moves show before "show all". */
const movesShown = 8

/**
 * The top of the preview: per class what the import does ("1A → 2A: 26", new pupils per class),
 * the classes that become empty, the classes it creates, and how many have no e-mail address.
 */
export function ClassSummary({ summary, kind = 'PUPILS' }: { summary: ClassSummaryData; kind?: ImportKind }) {
  const { t, num, plural } = useI18n()
  const [all, setAll] = useState(false)
  const { moves, emptyClasses, newClasses, withoutEmail } = summary
  if (moves.length === 0 && emptyClasses.length === 0 && newClasses.length === 0 && withoutEmail === 0) return null
  const shown = all ? moves : moves.slice(0, movesShown)
  return (
    <Paper withBorder p="sm" radius="md" data-testid="class-summary" component="section" aria-labelledby="class-summary-title">
      <Stack gap={8}>
        <Title order={3} size="h5" id="class-summary-title">
          {t('summary.title')}
        </Title>
        {moves.length > 0 && (
          <List size="sm" spacing={2} listStyleType="none" aria-label={t('summary.moves')} data-testid="class-moves">
            {shown.map((m) => (
              <List.Item key={`${m.from ?? ''}→${m.to}`}>
                <Text span size="sm" c={m.from ? undefined : 'teal.9'}>
                  {m.from ?? t('summary.new')}
                </Text>
                {' → '}
                <Text span size="sm" fw={600}>
                  {m.to}
                </Text>
                {`: ${num(m.count)}`}
              </List.Item>
            ))}
          </List>
        )}
        {(moves.length > movesShown || summary.movesTotal > moves.length) && (
          <Group>
            <Button variant="subtle" size="xs" onClick={() => setAll((a) => !a)} aria-expanded={all}>
              {all ? t('summary.less') : t('summary.more', { n: num(summary.movesTotal) })}
            </Button>
          </Group>
        )}
        {emptyClasses.length > 0 && (
          <Group gap={6} data-testid="classes-empty">
            <Text size="sm">{plural('summary.empty', emptyClasses.length)}:</Text>
            {emptyClasses.map((c) => (
              <Badge key={c} variant="light" color="orange" tt="none">
                {c}
              </Badge>
            ))}
          </Group>
        )}
        {newClasses.length > 0 && (
          <Group gap={6} data-testid="classes-new">
            <Text size="sm">{plural('summary.newClasses', newClasses.length)}:</Text>
            {newClasses.map((c) => (
              <Badge key={c} variant="light" tt="none">
                {c}
              </Badge>
            ))}
          </Group>
        )}
        {withoutEmail > 0 && (
          <Text size="sm" data-testid="without-email">
            {plural(`summary.withoutEmail.${kindWord(kind)}`, withoutEmail)}
          </Text>
        )}
      </Stack>
    </Paper>
  )
}
