import { Alert, Button, Group, List, Stack, Text, TextInput } from '@mantine/core'
import { IconPencil } from '@tabler/icons-react'
import { useState, type FormEvent } from 'react'
import { useMutation } from 'urql'
import { ErrorAlert } from '../../components/ErrorAlert'
import type { CorrectRowMutation as CorrectRowResult } from '../../gql/graphql'
import { useI18n } from '../../i18n'
import { correctionFields, CorrectRowMutation, maxCellLength, type CellCorrection, type FileColumn, type RefusedRow } from './corrections'

/** The answer of correctRow: whether the row is accepted now, or why not. */
export type RowCheck = CorrectRowResult['correctRow']

/**
 * "Verbeteren" for a refused row of the preview: the row's cells that the reasons name (all
 * mapped cells when they name none), editable; saving sends them to correctRow, which checks the
 * row again with the same checks as the file's rows and plans the import again. onChecked gets
 * the answer (the preview reloads there).
 */
export function CorrectRow({
  jobId,
  row,
  columns,
  corrections,
  onChecked,
}: {
  jobId: string
  row: RefusedRow
  columns: readonly FileColumn[]
  corrections: readonly CellCorrection[]
  onChecked: (check: RowCheck) => void
}) {
  const { t } = useI18n()
  const fields = correctionFields(row, columns, corrections)
  const [open, setOpen] = useState(false)
  const [values, setValues] = useState<Record<number, string>>({})
  const [state, correct] = useMutation(CorrectRowMutation)
  const where = row.sourceFile ? t('set.line', { file: row.sourceFile, n: row.line }) : t('preview.lineN', { n: row.line })

  if (fields.length === 0) return null
  if (!open) {
    return (
      <Button
        size="compact-xs"
        variant="light"
        leftSection={<IconPencil size={14} aria-hidden />}
        onClick={() => {
          setValues(Object.fromEntries(fields.map((f) => [f.column.index, f.value])))
          setOpen(true)
        }}
        aria-label={t('correct.open.aria', { line: where })}
      >
        {t('correct.open')}
      </Button>
    )
  }
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const changed = fields.filter((f) => (values[f.column.index] ?? '') !== f.value)
    if (changed.length === 0) {
      setOpen(false)
      return
    }
    const result = await correct({
      jobId,
      line: row.line,
      sourceFile: row.sourceFile ?? null,
      values: changed.map((f) => ({ column: f.column.index, value: values[f.column.index] ?? '' })),
    })
    if (result.data?.correctRow) {
      setOpen(false)
      onChecked(result.data.correctRow)
    }
  }
  return (
    <form onSubmit={(e) => void submit(e)} aria-label={t('correct.form.aria', { line: where })}>
      <Stack gap={6} maw={560}>
        <Group gap="xs" align="flex-end" wrap="wrap">
          {fields.map((f) => (
            <TextInput
              key={f.column.index}
              size="xs"
              label={f.column.header}
              value={values[f.column.index] ?? ''}
              maxLength={maxCellLength}
              onChange={(e) => {
                const v = e.currentTarget.value
                setValues((old) => ({ ...old, [f.column.index]: v }))
              }}
              data-autofocus
              w={200}
            />
          ))}
        </Group>
        <Group gap="xs">
          <Button size="compact-sm" type="submit" loading={state.fetching}>
            {t('correct.save')}
          </Button>
          <Button size="compact-sm" variant="default" onClick={() => setOpen(false)}>
            {t('common.cancel')}
          </Button>
        </Group>
        <ErrorAlert error={state.error} />
      </Stack>
    </form>
  )
}

/** What the last correction did to its row, above the list (the row may have left the filter). */
export function RowCheckAlert({ check, onClose }: { check: RowCheck; onClose: () => void }) {
  const { t, pick } = useI18n()
  const where = check.sourceFile ? t('set.line', { file: check.sourceFile, n: check.line }) : t('preview.lineN', { n: check.line })
  if (check.accepted) {
    return (
      <Alert color="teal" role="status" withCloseButton onClose={onClose} closeButtonLabel={t('correct.close')} data-testid="row-check">
        <Text size="sm">{t('correct.accepted', { line: where })}</Text>
      </Alert>
    )
  }
  return (
    <Alert color="red" role="status" withCloseButton onClose={onClose} closeButtonLabel={t('correct.close')} data-testid="row-check">
      <Text size="sm" fw={600}>
        {t('correct.stillRefused', { line: where })}
      </Text>
      <List size="sm">
        {check.reasons.map((r, i) => (
          <List.Item key={i}>
            {r.column ? `${r.column}: ` : ''}
            {pick(r.message, r.messageEn)}
          </List.Item>
        ))}
      </List>
    </Alert>
  )
}
