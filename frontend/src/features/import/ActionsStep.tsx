import { Alert, Button, Checkbox, Group, Stack, Text, Title } from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
import { useMutation } from 'urql'
import { ErrorAlert } from '../../components/ErrorAlert'
import type { ImportAction } from '../../gql/graphql'
import { useI18n } from '../../i18n'
import { PreviewMutation } from './documents'
import { kindKey, type ImportKind } from './groups'

/** Step 3: what the import may do (add, update, archive); at least one. */
export function ActionsStep({
  jobId,
  kind,
  actions,
  onChange,
  onBack,
  onDone,
}: {
  jobId: string
  /** What the file holds: the descriptions speak of pupils or of teachers. */
  kind?: ImportKind
  actions: ImportAction[]
  onChange: (actions: ImportAction[]) => void
  onBack: () => void
  onDone: () => void
}) {
  const { t } = useI18n()
  const [{ fetching, error }, preview] = useMutation(PreviewMutation)
  const has = (a: ImportAction) => actions.includes(a)
  const toggle = (a: ImportAction, on: boolean) => {
    const order: ImportAction[] = ['ADD', 'UPDATE', 'ARCHIVE']
    onChange(order.filter((x) => (x === a ? on : actions.includes(x))))
  }

  const submit = async () => {
    const result = await preview({ jobId, actions })
    if (result.data?.preview) onDone()
  }

  return (
    <Stack gap="md">
      <Title order={2}>{t('actions.title')}</Title>
      <Text>{t('actions.intro')}</Text>
      <Stack gap="lg" role="group" aria-label={t('actions.title')}>
        <Checkbox
          checked={has('ADD')}
          onChange={(e) => toggle('ADD', e.currentTarget.checked)}
          label={t('actions.add')}
          description={t(kindKey('actions.add.description', kind))}
          size="md"
        />
        <Checkbox
          checked={has('UPDATE')}
          onChange={(e) => toggle('UPDATE', e.currentTarget.checked)}
          label={t('actions.update')}
          description={t(kindKey('actions.update.description', kind))}
          size="md"
        />
        <Checkbox
          checked={has('ARCHIVE')}
          onChange={(e) => toggle('ARCHIVE', e.currentTarget.checked)}
          label={t('actions.archive')}
          description={t(kindKey('actions.archive.description', kind))}
          size="md"
          color="red"
        />
      </Stack>
      {has('ARCHIVE') && (
        <Alert color="orange" icon={<IconAlertTriangle aria-hidden />} title={t('actions.archive.warning.title')}>
          {t(kindKey('actions.archive.warning', kind))}
        </Alert>
      )}
      {actions.length === 0 && (
        <Text c="red" size="sm" id="actions-problem" role="alert">
          {t('actions.none')}
        </Text>
      )}
      <ErrorAlert error={error} title={t('actions.previewFailed')} />
      <Group justify="space-between">
        <Button variant="default" onClick={onBack}>
          {t('common.back')}
        </Button>
        <Button
          onClick={() => void submit()}
          loading={fetching}
          disabled={actions.length === 0}
          aria-describedby={actions.length === 0 ? 'actions-problem' : undefined}
        >
          {t('actions.preview')}
        </Button>
      </Group>
    </Stack>
  )
}
