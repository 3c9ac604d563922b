import { Alert, Button, Stack, Table, Text } from '@mantine/core'
import { IconAlertTriangle, IconShieldCheck } from '@tabler/icons-react'
import { useState } from 'react'
import { useI18n } from '../../i18n'

/** Rows shown before "show all". */
export const damagedShown = 10

/** A damaged value as the preview and the report give it (GraphQL DamagedValue). */
export interface Damaged {
  line: number
  /** For a roster set: the set's file the line is in. */
  sourceFile?: string | null
  column: string
  field: string
  key: string
  stored: string
  file: string
  kept: boolean
}

/**
 * The values of the file in which Excel (or a broken save) turned letters into "?": the ones
 * Numo keeps as stored, and the names that would be imported as they are. Shown at the top of
 * the preview, so the admin sees them before importing, and on the result.
 */
export function DamagedValuesAlert({ values, committed = false }: { values: readonly Damaged[]; committed?: boolean }) {
  const { t, plural } = useI18n()
  const written = values.filter((v) => !v.kept)
  const kept = values.filter((v) => v.kept)
  if (values.length === 0) return null
  return (
    <Stack gap="sm">
      {written.length > 0 && (
        <Alert
          color="orange"
          variant="light"
          icon={<IconAlertTriangle aria-hidden />}
          title={plural(committed ? 'damaged.written.titleDone' : 'damaged.written.title', written.length)}
          role="alert"
          data-testid="damaged-written"
        >
          <Stack gap="xs">
            <Text size="sm">{t(committed ? 'damaged.written.textDone' : 'damaged.written.text')}</Text>
            <DamagedTable values={written} showStored={false} label={t('damaged.written.aria')} />
          </Stack>
        </Alert>
      )}
      {kept.length > 0 && (
        <Alert
          color="yellow"
          variant="light"
          icon={<IconShieldCheck aria-hidden />}
          title={plural(committed ? 'damaged.kept.titleDone' : 'damaged.kept.title', kept.length)}
          data-testid="damaged-kept"
        >
          <Stack gap="xs">
            <Text size="sm">{t(committed ? 'damaged.kept.textDone' : 'damaged.kept.text')}</Text>
            <DamagedTable values={kept} showStored label={t('damaged.kept.aria')} />
          </Stack>
        </Alert>
      )}
    </Stack>
  )
}

function DamagedTable({ values, showStored, label }: { values: readonly Damaged[]; showStored: boolean; label: string }) {
  const { t, num } = useI18n()
  const [all, setAll] = useState(false)
  const shown = all ? values : values.slice(0, damagedShown)
  return (
    <>
      <Table.ScrollContainer minWidth={480}>
        <Table verticalSpacing={4} aria-label={label} withRowBorders={false}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('preview.col.line')}</Table.Th>
              <Table.Th scope="col">{t('preview.col.key')}</Table.Th>
              <Table.Th scope="col">{t('result.col.column')}</Table.Th>
              {showStored && <Table.Th scope="col">{t('damaged.col.stored')}</Table.Th>}
              <Table.Th scope="col">{t('damaged.col.file')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((v) => (
              <Table.Tr key={`${v.line}-${v.field}`}>
                <Table.Td>{v.sourceFile ? `${v.sourceFile}:${v.line}` : v.line}</Table.Td>
                <Table.Td>{v.key}</Table.Td>
                <Table.Td>{v.column}</Table.Td>
                {showStored && (
                  <Table.Td>
                    <Text span size="sm" fw={600}>
                      {v.stored}
                    </Text>
                  </Table.Td>
                )}
                <Table.Td>
                  <Text span size="sm" ff="monospace">
                    {v.file}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {values.length > damagedShown && (
        <Button variant="subtle" size="xs" onClick={() => setAll((a) => !a)} aria-expanded={all} style={{ alignSelf: 'flex-start' }}>
          {all ? t('preview.warnings.less') : t('damaged.more', { n: num(values.length) })}
        </Button>
      )}
    </>
  )
}
