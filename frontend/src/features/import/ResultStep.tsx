import { Alert, Anchor, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { IconAlertTriangle, IconCircleCheck, IconDownload } from '@tabler/icons-react'
import { useEffect } from 'react'
import { Link } from 'react-router'
import { useQuery } from 'urql'
import { ErrorAlert } from '../../components/ErrorAlert'
import { Loading } from '../../components/Loading'
import { useI18n } from '../../i18n'
import { CorrectionsNote } from './CorrectionsNote'
import { DamagedValuesAlert } from './DamagedValuesAlert'
import { ImportReportQuery } from './documents'
import { formatCounts } from './format'
import { formatGroupCounts, kindKey } from './groups'
import { GroupSummary } from './PreviewStep'
import { LettersButton } from '../startcodes/LettersButton'
import { useSchool } from '../../school/SchoolProvider'

/** How many new classes the result names; a large import's others are a count and a link (issue 17). */
export const classesShown = 24

/** Step 6: what the import did, the refused rows, and the report to download. */
export function ResultStep({ jobId, onClose }: { jobId: string; onClose: () => void }) {
  const i18n = useI18n()
  const { t, pick, num, lang, plural } = i18n
  const schoolId = useSchool().school?.id
  const [{ data, fetching, error }, refetch] = useQuery({
    query: ImportReportQuery,
    variables: { id: jobId },
    requestPolicy: 'network-only',
  })
  // "De import is gestart" and "Bestand ontvangen" are old news once the result shows.
  useEffect(() => notifications.clean(), [])
  const job = data?.node?.__typename === 'ImportJob' ? data.node : null
  if (!job) {
    if (error) return <ErrorAlert error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
    return <Loading />
  }
  const report = job.report
  const failed = job.status === 'FAILED'
  const added = report?.counts.added ?? 0

  return (
    <Stack gap="md">
      <Title order={2}>{t('result.title')}</Title>
      {failed ? (
        <Alert color="red" icon={<IconAlertTriangle aria-hidden />} title={t('result.failed')} role="alert">
          <Text size="sm">{job.error || t('result.failed.unknown')}</Text>
          <Text size="sm" mt={4}>
            {t('result.failed.nothing')}
          </Text>
        </Alert>
      ) : (
        <Alert color="teal" icon={<IconCircleCheck aria-hidden />} title={t(kindKey('result.done', job.fileKind), { file: job.fileName })}>
          <Text fw={600} size="lg" data-testid="result-message">
            {report ? formatCounts(report.counts, i18n) : t('result.noReport')}
          </Text>
        </Alert>
      )}

      <CorrectionsNote jobId={jobId} />
      {report && <DamagedValuesAlert values={report.damagedValues} committed />}

      {report && (
        <GroupSummary
          counts={formatGroupCounts(report.counts, job.fileKind, i18n)}
          toCreate={report.groupsCreated}
          title={t('result.groupsCreated', { n: num(report.groupsCreated.length) })}
        />
      )}

      {report && report.classesCreated.length > 0 && (
        <Stack gap={6}>
          <Title order={3} size="h5">
            {t('result.classesCreated', { n: num(report.classesCreated.length) })}
          </Title>
          <Group gap={6}>
            {report.classesCreated.slice(0, classesShown).map((c) => (
              <Badge key={c} variant="light" tt="none">
                {c}
              </Badge>
            ))}
          </Group>
          {report.classesCreated.length > classesShown && (
            <Text size="sm" data-testid="classes-more">
              {plural('result.classesMore', report.classesCreated.length - classesShown)} ·{' '}
              <Anchor component={Link} to="/klassen" size="sm">
                {t('result.classesLink')}
              </Anchor>
            </Text>
          )}
        </Stack>
      )}

      {report && report.refused.length > 0 && (
        <Stack gap={6}>
          <Title order={3} size="h5">
            {t('result.refused', { n: num(report.refused.length) })}
          </Title>
          <Table.ScrollContainer minWidth={500}>
            <Table striped aria-label={t('result.refused', { n: report.refused.length })}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col" w={80}>
                    {t('preview.col.line')}
                  </Table.Th>
                  <Table.Th scope="col" w={180}>
                    {t('result.col.column')}
                  </Table.Th>
                  <Table.Th scope="col">{t('result.col.reason')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {report.refused.map((r, i) => (
                  <Table.Tr key={i}>
                    <Table.Td>{r.line > 0 ? (r.sourceFile ? `${r.sourceFile}:${r.line}` : r.line) : '—'}</Table.Td>
                    <Table.Td>{r.column ?? ''}</Table.Td>
                    <Table.Td>{pick(r.message, r.messageEn)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Stack>
      )}
      {fetching && <Loading />}

      <Group justify="space-between">
        <Group gap="sm">
          {job.reportUrl && (
            <Button
              component="a"
              href={`${job.reportUrl}?lang=${lang}`}
              download
              variant="light"
              leftSection={<IconDownload size={16} aria-hidden />}
            >
              {t('result.download')}
            </Button>
          )}
          {/* Login letters for the accounts this import added (features/startcodes). */}
          {schoolId && !failed && added > 0 && (
            <LettersButton schoolId={schoolId} scope={{ importJobId: jobId }} label={plural('result.lettersFor', added)} />
          )}
        </Group>
        <Button onClick={onClose}>{t('result.close')}</Button>
      </Group>
    </Stack>
  )
}
