import { Alert, Button, Paper, Stack, Stepper } from '@mantine/core'
import { useMediaQuery } from '@mantine/hooks'
import { notifications } from '@mantine/notifications'
import { useCallback, useState } from 'react'
import { useLocation, useNavigate, useParams } from 'react-router'
import { useQuery } from 'urql'
import { ErrorAlert } from '../../components/ErrorAlert'
import { useFocusHeadingOn } from '../../components/focus'
import { Loading } from '../../components/Loading'
import type { ImportAction, ImportJobQuery as JobQueryResult } from '../../gql/graphql'
import { useI18n, type MessageKey } from '../../i18n'
import { useSchool } from '../../school/SchoolProvider'
import { ActionsStep } from './ActionsStep'
import { ImportJobQuery } from './documents'
import { FileStep } from './FileStep'
import { isCommitted, Step, stepForStatus } from './format'
import { MappingStep } from './MappingStep'
import { PreviewStep } from './PreviewStep'
import { ProgressStep } from './ProgressStep'
import { ResultStep } from './ResultStep'
import { NextJobCard } from './NextJobCard'
import { UnfinishedImport } from '../history/UnfinishedImport'

type Job = Extract<NonNullable<JobQueryResult['node']>, { __typename: 'ImportJob' }>

const stepLabels: MessageKey[] = [
  'step.file',
  'step.mapping',
  'step.actions',
  'step.preview',
  'step.progress',
  'step.result',
]

// Account fields that a preview's FieldChange may name besides the import fields.
const extraFieldLabels: Record<string, MessageKey> = {
  className: 'field.class',
  class: 'field.class',
  status: 'field.status',
  groups: 'field.groups',
  teaches: 'field.teaches',
  mentorOf: 'field.mentorOf',
}

/** Where a job's wizard may jump back to: nothing once its plan is being applied. */
function canSelect(target: number, current: number, job: Job | null): boolean {
  if (target >= current) return false
  if (!job) return target === Step.File
  return !isCommitted(job.status) && target <= Step.Preview
}

/**
 * The import wizard. The job's id is in the URL (/import/:jobId), so a reload or coming back
 * later restores the step from the job's status; an import that is running keeps running.
 */
export function ImportWizard() {
  const { t, pick } = useI18n()
  const { jobId } = useParams()
  const navigate = useNavigate()
  const location = useLocation()
  const { school } = useSchool()
  const compact = useMediaQuery('(max-width: 62em)')
  const fromUpload = (location.state as { fromUpload?: boolean } | null)?.fromUpload === true

  const [{ data, fetching, error }, refetchJob] = useQuery({
    query: ImportJobQuery,
    variables: { id: jobId ?? '' },
    pause: !jobId,
    requestPolicy: 'network-only',
  })
  const node = jobId ? data?.node : null
  const job: Job | null = node?.__typename === 'ImportJob' && node.id === jobId ? node : null

  const [step, setStep] = useState<number>(Step.File)
  const [restoredFor, setRestoredFor] = useState<string | null>(null)
  const [actions, setActions] = useState<ImportAction[]>(['ADD', 'UPDATE'])

  // Restore the step once per job (React's "adjust state while rendering" pattern).
  if (job && restoredFor !== job.id) {
    setRestoredFor(job.id)
    setStep(fromUpload && job.status === 'UPLOADED' ? Step.File : stepForStatus(job.status))
    setActions(['ADD', 'UPDATE'])
  } else if (!jobId && restoredFor !== null) {
    setRestoredFor(null)
    setStep(Step.File)
  }

  const fieldLabel = useCallback(
    (name: string) => {
      const f = job?.fields.find((x) => x.name === name)
      if (f) return pick(f.label, f.labelEn)
      const extra = extraFieldLabels[name]
      return extra ? t(extra) : name
    },
    [job, pick, t],
  )
  // Each step (and the file step once the upload is read) puts focus on its heading (issue 17).
  const stepRef = useFocusHeadingOn<HTMLDivElement>(`${step}:${job?.id ?? ''}`, { skipFirst: true, selector: 'h2' })
  const refresh = () => refetchJob({ requestPolicy: 'network-only' })
  const onFinished = useCallback(() => {
    setStep(Step.Result)
  }, [])

  let content: React.ReactNode
  if (jobId && !job) {
    // A job thrown away (discardImport) or purged is not found, not an error to retry.
    const gone = error?.graphQLErrors.some((e) => e.extensions?.code === 'NOT_FOUND' || /Could not resolve to a node/.test(e.message))
    if (error && !gone) content = <ErrorAlert error={error} onRetry={refresh} />
    else if (!gone && (fetching || !data)) content = <Loading />
    else
      content = (
        <Alert color="yellow" title={t('wizard.notFound')}>
          <Button mt="sm" onClick={() => navigate('/import')}>
            {t('wizard.new')}
          </Button>
        </Alert>
      )
  } else if (!school) {
    content = <Loading />
  } else if (step === Step.File || !job) {
    content = (
      <FileStep
        job={job}
        onUploaded={(id) => {
          notifications.show({ color: 'teal', message: t('notify.uploaded'), autoClose: 2500 })
          navigate(`/import/${id}`, { state: { fromUpload: true } })
        }}
        onNext={() => setStep(Step.Mapping)}
        onSetNext={(id) => navigate(`/import/${id}`)}
      />
    )
  } else if (step === Step.Mapping) {
    content = (
      <MappingStep
        key={`${job.id}-${job.fileKind}`}
        job={job}
        onKindChanged={refresh}
        onBack={() => setStep(Step.File)}
        onDone={() => {
          refresh()
          setStep(Step.Actions)
        }}
      />
    )
  } else if (step === Step.Actions) {
    content = (
      <ActionsStep
        jobId={job.id}
        kind={job.fileKind}
        actions={actions}
        onChange={setActions}
        onBack={() => setStep(Step.Mapping)}
        onDone={() => setStep(Step.Preview)}
      />
    )
  } else if (step === Step.Preview) {
    content = (
      <PreviewStep
        jobId={job.id}
        kind={job.fileKind}
        fieldLabel={fieldLabel}
        onActions={setActions}
        onBack={() => setStep(Step.Actions)}
        onCommitted={() => {
          notifications.show({ color: 'teal', message: t('notify.committed') })
          refresh()
          setStep(Step.Progress)
        }}
      />
    )
  } else if (step === Step.Progress) {
    content = (
      <ProgressStep
        jobId={job.id}
        initial={{ done: job.progressDone, total: job.progressTotal, phase: job.phase }}
        onFinished={onFinished}
      />
    )
  } else {
    content = (
      <Stack gap="md">
        <ResultStep jobId={job.id} onClose={() => navigate('/klassen')} />
        {job.nextJob && job.status === 'COMMITTED' && <NextJobCard next={job.nextJob} onGo={() => navigate(`/import/${job.nextJob!.id}`)} />}
      </Stack>
    )
  }

  return (
    <Stack gap="lg">
      <Stepper
        active={step}
        onStepClick={(s) => canSelect(s, step, job) && setStep(s)}
        allowNextStepsSelect={false}
        size="xs"
        iconSize={30}
        styles={{ separator: { marginInline: 6 }, stepLabel: { whiteSpace: 'nowrap' } }}
        aria-label={t('wizard.steps')}
      >
        {stepLabels.map((key, i) => (
          <Stepper.Step
            key={key}
            label={compact && i !== step ? undefined : t(key)}
            // A label that is shown names the step itself; a hidden one (tablet) names it for screen readers.
            aria-label={compact && i !== step ? `${i + 1} ${t(key)}` : undefined}
            allowStepSelect={canSelect(i, step, job)}
            aria-current={i === step ? 'step' : undefined}
          />
        ))}
      </Stepper>
      {!jobId && school && <UnfinishedImport schoolId={school.id} />}
      <Paper withBorder p={{ base: 'md', sm: 'lg' }} radius="md" ref={stepRef}>
        {content}
      </Paper>
    </Stack>
  )
}
