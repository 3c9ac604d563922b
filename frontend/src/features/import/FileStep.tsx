import { Alert, Button, Card, Group, List, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import { Dropzone, type FileRejection } from '@mantine/dropzone'
import { IconFileSpreadsheet, IconFileUpload, IconUpload, IconX } from '@tabler/icons-react'
import { useState } from 'react'
import { useMutation } from 'urql'
import { findError, apiErrors, type ApiError } from '../../api/errors'
import { ErrorAlert } from '../../components/ErrorAlert'
import { useI18n } from '../../i18n'
import { useSchool } from '../../school/SchoolProvider'
import { UploadMutation, UploadRosterSetMutation } from './documents'
import { delimiterLabel, encodingLabel, formatFileSize } from './format'
import { kindKey, type ImportKind } from './groups'
import { ChooseSchool, RosterSetSummary, type RosterSet } from './RosterSetSummary'

/** What the upload step shows about an uploaded file. */
export interface UploadedFile {
  fileName: string
  fileSize: number
  encoding: string
  delimiter: string
  headerLine: number
  rowCount: number
  /** What the file holds, as upload recognised it from the headers. */
  fileKind?: ImportKind
}

// Windows labels a .csv as application/vnd.ms-excel; an .xls that slips through is refused by
// the server with a clear message, so the browser filter stays lenient.
const accept = {
  'text/csv': ['.csv'],
  'text/plain': ['.txt', '.csv'],
  'application/vnd.ms-excel': ['.csv'],
  // A roster set (School Data Sync, OneRoster) as one zip.
  'application/zip': ['.zip'],
  'application/x-zip-compressed': ['.zip'],
}

/**
 * Refusals whose server message already says what to do, for which the generic tips (export as
 * CSV, column names on the first line) would not fit: a header-only file needs the pupils
 * selected in the export, a stray quote or a too-wide row needs that line fixed.
 */
const ownAdvice = new Set(['no_rows', 'unclosed_quote', 'too_many_columns', 'required_missing'])

/** Why a file cannot be read: the server's message, its line once, and tips only where they fit. */
export function FileRefusal({ rejected, clientRefusal }: { rejected?: ApiError; clientRefusal?: string | null }) {
  const { t, pick } = useI18n()
  return (
    <Alert color="red" title={t('file.refused.title')} icon={<IconX aria-hidden />} role="alert">
      <Stack gap={6}>
        <Text size="sm" fw={500}>
          {rejected ? pick(rejected.message, rejected.messageEn ?? rejected.message) : clientRefusal}
        </Text>
        {rejected?.line ? <Text size="sm">{t('file.refused.line', { line: rejected.line })}</Text> : null}
        {!(rejected?.reason && ownAdvice.has(rejected.reason)) && (
          <>
            <Text size="sm">{t('file.refused.whatToDo')}</Text>
            <List size="sm">
              <List.Item>{t('file.refused.tip.csv')}</List.Item>
              <List.Item>{t('file.refused.tip.header')}</List.Item>
            </List>
          </>
        )}
      </Stack>
    </Alert>
  )
}

/** Whether dropped files are a roster set: several files, or a zip. */
export function isRosterSet(files: File[]): boolean {
  return files.length > 1 || (files.length === 1 && /\.zip$/i.test(files[0].name))
}

/** Step 1: drop or pick the CSV export; shows what the server detected or why it refused it. */
export function FileStep({
  job,
  onUploaded,
  onNext,
  onSetNext,
}: {
  job: UploadedFile | null
  onUploaded: (jobId: string) => void
  onNext: () => void
  /** A roster set was uploaded: go on with its first job (the pupils). */
  onSetNext?: (jobId: string) => void
}) {
  const { t, pick, num, lang } = useI18n()
  const { school } = useSchool()
  const [{ fetching, error }, upload] = useMutation(UploadMutation)
  const [clientRefusal, setClientRefusal] = useState<string | null>(null)
  const [sending, setSending] = useState<string | null>(null)
  const [setResult, uploadSet] = useMutation(UploadRosterSetMutation)
  const [setFiles, setSetFiles] = useState<File[]>([])
  const [rosterSet, setRosterSet] = useState<RosterSet | null>(null)

  const sendSet = async (files: File[], brin?: string, stamklassen?: string[]) => {
    if (!school) return
    setClientRefusal(null)
    setRosterSet(null)
    setSetFiles(files)
    setSending(files.length === 1 ? files[0].name : t('set.sending', { n: files.length }))
    const result = await uploadSet({ schoolId: school.id, files, brin: brin ?? null, stamklassen: stamklassen ?? null })
    setSending(null)
    if (result.data?.uploadRosterSet) setRosterSet(result.data.uploadRosterSet)
  }
  const setError = setResult.error?.graphQLErrors[0]
  const setExt = (setError?.extensions ?? {}) as Record<string, unknown>
  const setRejected = setExt.code === 'ROSTER_SET_REJECTED' ? setError : undefined

  const send = async (file: File) => {
    if (!school) return
    setClientRefusal(null)
    setSending(file.name)
    const result = await upload({ schoolId: school.id, file })
    setSending(null)
    if (result.data?.upload) onUploaded(result.data.upload.id)
  }

  const refuse = (rejections: FileRejection[]) => {
    const name = rejections[0]?.file.name ?? ''
    setClientRefusal(/\.xlsx?$|\.ods$/i.test(name) ? t('file.refused.excel') : t('file.refused.type', { name }))
  }

  const dropzone = (
    <Dropzone
      onDrop={(files) => (isRosterSet(files) ? void sendSet(files) : files[0] && void send(files[0]))}
      onReject={refuse}
      accept={accept}
      multiple
      loading={fetching || setResult.fetching}
      disabled={!school}
      // Its name is its visible text (axe: label-content-name-mismatch); the file input inside is
      // not rendered as a second control in the button (nested-interactive).
      role="button"
      inputProps={{ style: { display: 'none' } }}
      maxSize={50 * 1024 * 1024}
    >
      <Group justify="center" gap="lg" mih={job ? 60 : 160} style={{ pointerEvents: 'none' }}>
        <Dropzone.Accept>
          <IconUpload size={job ? 28 : 44} stroke={1.5} aria-hidden />
        </Dropzone.Accept>
        <Dropzone.Reject>
          <IconX size={job ? 28 : 44} stroke={1.5} aria-hidden />
        </Dropzone.Reject>
        <Dropzone.Idle>
          <IconFileUpload size={job ? 28 : 44} stroke={1.5} aria-hidden />
        </Dropzone.Idle>
        <div>
          <Text size="lg" fw={500}>
            {job ? t('file.dropzone.other') : t('file.dropzone.title')}
          </Text>
          <Text size="sm" c="dimmed" mt={4}>
            {t('file.dropzone.hint')}
          </Text>
          <Text size="sm" c="dimmed">
            {t('set.dropzone.hint')}
          </Text>
        </div>
      </Group>
    </Dropzone>
  )

  const rejected = findError(error, 'FILE_REJECTED')
  const otherError = error && !rejected ? error : null

  return (
    <Stack gap="md">
      <Title order={2}>{t('file.title')}</Title>
      <Text>{t('file.intro')}</Text>
      {!job && dropzone}

      {sending && (
        <Text size="sm" role="status">
          {t('file.sending', { name: sending })}
        </Text>
      )}

      {(rejected || clientRefusal) && <FileRefusal rejected={rejected} clientRefusal={clientRefusal} />}
      {otherError && <ErrorAlert error={otherError} title={t('file.uploadFailed')} />}
      {setRejected && setExt.setCode === 'SET_CHOOSE_SCHOOL' && (
        <ChooseSchool message={pick(setRejected.message, String(setExt.messageEn ?? setRejected.message))} onChoose={(b) => void sendSet(setFiles, b)} />
      )}
      {setRejected && setExt.setCode !== 'SET_CHOOSE_SCHOOL' && (
        <Alert color="red" title={t('set.refused.title')} icon={<IconX aria-hidden />} role="alert">
          <Stack gap={6}>
            <Text size="sm" fw={500}>
              {pick(setRejected.message, String(setExt.messageEn ?? setRejected.message))}
            </Text>
            {setExt.file ? (
              <Text size="sm">
                {Number(setExt.line) > 0 ? t('set.line', { file: String(setExt.file), n: Number(setExt.line) }) : String(setExt.file)}
              </Text>
            ) : null}
            {Array.isArray(setExt.problems) && setExt.problems.length > 0 && (
              <List size="sm">
                {(setExt.problems as { file: string; line: number; message: string; messageEn?: string }[]).slice(0, 20).map((p, i) => (
                  <List.Item key={i}>
                    {t('set.line', { file: p.file, n: p.line })}: {pick(p.message, p.messageEn ?? p.message)}
                  </List.Item>
                ))}
              </List>
            )}
          </Stack>
        </Alert>
      )}
      {setResult.error && !setRejected && <ErrorAlert error={setResult.error} title={t('file.uploadFailed')} />}
      {rosterSet && (
        <RosterSetSummary
          set={rosterSet}
          onSchool={(b) => void sendSet(setFiles, b)}
          onStamklassen={(names) => void sendSet(setFiles, rosterSet.schools.length > 1 ? rosterSet.school.identifier : undefined, names)}
          onNext={() => onSetNext?.(rosterSet.jobs[0].id)}
        />
      )}
      {!rejected && apiErrors(error).length === 0 && job && (
        <Card withBorder padding="md" aria-labelledby="file-summary-title">
          <Group gap="sm" mb="sm">
            <IconFileSpreadsheet size={24} aria-hidden />
            <Title order={3} size="h4" id="file-summary-title">
              {job.fileName}
            </Title>
          </Group>
          <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="sm" component="dl" m={0}>
            <Fact label={t('file.size')} value={formatFileSize(job.fileSize, lang)} />
            <Fact label={t('file.encoding')} value={encodingLabel(job.encoding)} />
            <Fact label={t('file.delimiter')} value={delimiterLabel(job.delimiter, { t })} />
            <Fact label={t('file.headerLine')} value={t('file.lineN', { n: job.headerLine })} />
            <Fact label={t('file.kind')} value={t(job.fileKind === 'TEACHERS' ? 'kind.TEACHERS' : 'kind.PUPILS')} />
            <Fact label={t(kindKey('file.rowCount', job.fileKind))} value={num(job.rowCount)} />
          </SimpleGrid>
          <Group justify="flex-end" mt="md">
            <Button onClick={onNext}>{t('common.next')}</Button>
          </Group>
        </Card>
      )}
      {job && dropzone}
    </Stack>
  )
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text component="dt" size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text component="dd" m={0} fw={500}>
        {value}
      </Text>
    </div>
  )
}
