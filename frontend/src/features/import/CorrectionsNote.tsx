import { Alert, List, Text } from '@mantine/core'
import { IconPencil } from '@tabler/icons-react'
import { useQuery } from 'urql'
import { useI18n } from '../../i18n'
import { correctedLines, ReportCorrectionsQuery } from './corrections'

/** The report's "3 regels in de app verbeterd", with each corrected cell before → after. */
export function CorrectionsNote({ jobId }: { jobId: string }) {
  const [{ data }] = useQuery({ query: ReportCorrectionsQuery, variables: { id: jobId }, requestPolicy: 'network-only' })
  const job = data?.node?.__typename === 'ImportJob' ? data.node : null
  return job ? <CorrectionsList corrections={job.corrections} /> : null
}

/** The corrections made in the app, for the report (CorrectionsNote) and the tests. */
export function CorrectionsList({
  corrections,
}: {
  corrections: readonly { line: number; sourceFile?: string | null; column: string; before: string; after: string }[]
}) {
  const { t, plural } = useI18n()
  if (corrections.length === 0) return null
  const lines = correctedLines(corrections)
  return (
    <Alert color="blue" icon={<IconPencil aria-hidden />} title={plural('corrections.title', lines.length)} data-testid="corrections-note">
      <List size="sm" spacing={2}>
        {corrections.map((c) => (
          <List.Item key={`${c.sourceFile ?? ''}:${c.line}:${c.column}`}>
            <Text span size="sm">
              {c.sourceFile ? t('set.line', { file: c.sourceFile, n: c.line }) : t('preview.lineN', { n: c.line })}, {c.column}:{' '}
              {c.before || '∅'} → <b>{c.after || '∅'}</b>
            </Text>
          </List.Item>
        ))}
      </List>
    </Alert>
  )
}
