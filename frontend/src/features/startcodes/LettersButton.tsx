import { Alert, Button, Group, List, Modal, Stack, Text } from '@mantine/core'
import { IconFileTypeCsv, IconFileTypePdf, IconMailFast } from '@tabler/icons-react'
import { useState } from 'react'
import { useMutation } from 'urql'
import { ErrorAlert } from '../../components/ErrorAlert'
import { useI18n } from '../../i18n'
import { GenerateStartCodesMutation } from './documents'
import { dutchDay } from './format'

/** What the letters are for: the new accounts of an import, or the pupils of a class. */
export type LettersScope = { importJobId: string } | { classId: string }

/**
 * "Inlogbrieven maken": a confirm dialog that says the previous codes stop working, then makes
 * the letters and offers the PDF (to print) and the CSV (for a mail merge). Each download works
 * once, for half an hour: the codes are nowhere else.
 */
export function LettersButton({ schoolId, scope, label }: { schoolId: string; scope: LettersScope; label: string }) {
  const { t, plural, lang } = useI18n()
  const [open, setOpen] = useState(false)
  const [taken, setTaken] = useState<{ pdf?: boolean; csv?: boolean }>({})
  const [{ data, fetching, error }, generate] = useMutation(GenerateStartCodesMutation)
  const result = data?.generateStartCodes
  const close = () => setOpen(false)

  return (
    <>
      <Button variant="light" leftSection={<IconMailFast size={16} aria-hidden />} onClick={() => setOpen(true)} data-testid="letters-open">
        {t('letters.button')}
      </Button>
      <Modal opened={open} onClose={close} title={t('letters.title', { name: label })} size="lg">
        {!result ? (
          <Stack gap="md">
            <Text size="sm">{t('letters.explain')}</Text>
            <Alert color="yellow" title={t('letters.warning.title')}>
              <Text size="sm">{t('letters.warning')}</Text>
            </Alert>
            <ErrorAlert error={error} title={t('letters.failed')} />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                {t('common.cancel')}
              </Button>
              <Button
                loading={fetching}
                onClick={() => {
                  setTaken({})
                  void generate({ input: { schoolId, ...scope } })
                }}
                data-testid="letters-confirm"
              >
                {t('letters.confirm')}
              </Button>
            </Group>
          </Stack>
        ) : (
          <Stack gap="md" data-testid="letters-ready">
            <Alert color="teal" title={plural('letters.made', result.letters)}>
              <List size="sm" spacing={2}>
                <List.Item>{plural('letters.classes', result.classes)}</List.Item>
                <List.Item>{plural('letters.newUsernames', result.newUsernames)}</List.Item>
                <List.Item>{t('letters.validUntil', { date: dutchDay(result.validUntil, lang) })}</List.Item>
              </List>
            </Alert>
            <Text size="sm">{t('letters.downloadOnce')}</Text>
            <Group>
              <Button
                component="a"
                href={result.pdfUrl}
                download
                leftSection={<IconFileTypePdf size={18} aria-hidden />}
                disabled={taken.pdf}
                onClick={() => setTaken((x) => ({ ...x, pdf: true }))}
                data-testid="letters-pdf"
              >
                {t('letters.pdf')}
              </Button>
              <Button
                component="a"
                href={result.csvUrl}
                download
                variant="light"
                leftSection={<IconFileTypeCsv size={18} aria-hidden />}
                disabled={taken.csv}
                onClick={() => setTaken((x) => ({ ...x, csv: true }))}
                data-testid="letters-csv"
              >
                {t('letters.csv')}
              </Button>
            </Group>
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                {t('letters.close')}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  )
}
