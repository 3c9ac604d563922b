import { Alert, Button, Card, Checkbox, Collapse, Group, List, Select, Stack, Text, TextInput, Title } from '@mantine/core'
import { IconFileZip, IconX } from '@tabler/icons-react'
import { useState } from 'react'
import type { UploadRosterSetMutation } from '../../gql/graphql'
import { useI18n } from '../../i18n'

/** What uploadRosterSet answered: the recognised set and its jobs (pupils first). */
export type RosterSet = UploadRosterSetMutation['uploadRosterSet']

const formatNames: Record<string, string> = {
  SDS1: 'School Data Sync v1',
  'SDS2.1': 'School Data Sync v2.1',
  'ONEROSTER1.1': 'OneRoster 1.1',
  'ONEROSTER1.2': 'OneRoster 1.2',
}

/** A set format as people know it. */
export function formatName(format: string): string {
  return formatNames[format] ?? format
}

/**
 * What Numo recognised in a roster set: "Herkend: OneRoster 1.2 — 24 leerlingen, 4 docenten,
 * 6 lesgroepen; 3 regels overgeslagen", the skipped rows on request, a school chooser when the
 * set holds several schools, the choice of stamklassen when pupils have none (a School Data
 * Sync set whose sections name no stamklas, such as the TeamSync script's "1A ak"), and the
 * way on to the pupil job's wizard.
 */
export function RosterSetSummary({
  set,
  onSchool,
  onStamklassen,
  onNext,
}: {
  set: RosterSet
  onSchool: (brin: string) => void
  /** Read the set again with these stamklassen (uploadRosterSet's stamklassen). */
  onStamklassen?: (names: string[]) => void
  onNext: () => void
}) {
  const { t, pick, plural } = useI18n()
  const [showSkipped, setShowSkipped] = useState(false)
  const chosen = set.inferRule === 'chosen'
  const counts = [
    plural('set.pupils', set.pupils),
    plural('set.teachers', set.teachers),
    plural('set.groups', set.groups),
  ].join(', ')
  return (
    <Card withBorder padding="md" aria-labelledby="set-summary-title">
      <Stack gap="sm">
        <Group gap="sm">
          <IconFileZip size={24} aria-hidden />
          <Title order={3} size="h4" id="set-summary-title" data-testid="set-recognised">
            {t('set.recognised', { format: formatName(set.format), counts })}
            {set.skippedTotal > 0 ? `; ${plural('set.skipped', set.skippedTotal)}` : ''}
          </Title>
        </Group>
        {set.schools.length > 1 && (
          <Select
            label={t('set.school')}
            description={t('set.school.hint')}
            value={set.school.identifier}
            data={set.schools.map((s) => ({ value: s.identifier, label: `${s.name} (${s.identifier || s.sourceId})` }))}
            onChange={(v) => v && v !== set.school.identifier && onSchool(v)}
            allowDeselect={false}
          />
        )}
        {set.inferredClasses.length > 0 && (
          // The admin's own choice is no inference: say so, and keep the list to change it below.
          <Alert color="blue" title={t(chosen ? 'set.chosen.title' : 'set.inferred.title')} data-testid="set-inferred">
            <Text size="sm">
              {t(chosen ? 'set.chosen.text' : 'set.inferred.text', { names: set.inferredClasses.map((c) => c.name).join(', ') })}
            </Text>
          </Alert>
        )}
        {set.warningsTotal > 0 && (
          <Alert color="yellow" title={plural('set.warnings', set.warningsTotal)} data-testid="set-warnings">
            <List size="sm">
              {set.warnings.map((w) => (
                <List.Item key={`${w.file}-${w.line}`}>
                  {t('set.line', { file: w.file, n: w.line })}: {pick(w.message, w.messageEn)}
                </List.Item>
              ))}
            </List>
            {/* The way out, said once (the rows no longer each repeat it): the checklist below when
                there is one, else what to change in the set. */}
            <Text size="sm" mt="xs" data-testid="set-warnings-advice">
              {t(set.classParts.length > 0 && onStamklassen ? 'set.warnings.choose' : 'set.warnings.fix')}
            </Text>
          </Alert>
        )}
        {(set.warningsTotal > 0 || chosen) && set.classParts.length > 0 && onStamklassen && (
          <ChooseStamklassen set={set} onChoose={onStamklassen} />
        )}
        {set.skippedTotal > 0 && (
          <div>
            <Button variant="subtle" size="compact-sm" onClick={() => setShowSkipped((x) => !x)} aria-expanded={showSkipped}>
              {showSkipped ? t('set.skipped.hide') : t('set.skipped.show')}
            </Button>
            <Collapse expanded={showSkipped}>
              <List size="sm" mt="xs" data-testid="set-skipped">
                {set.skipped.map((k) => (
                  <List.Item key={`${k.file}-${k.line}`}>
                    {t('set.line', { file: k.file, n: k.line })}: {pick(k.reason, k.reasonEn)}
                  </List.Item>
                ))}
              </List>
              {set.skippedTotal > set.skipped.length && (
                <Text size="sm" c="dimmed">
                  {t('set.skipped.more', { n: set.skippedTotal - set.skipped.length })}
                </Text>
              )}
            </Collapse>
          </div>
        )}
        <Text size="sm">{set.jobs.length > 1 ? t('set.twoSteps') : t('set.oneStep')}</Text>
        <Group justify="flex-end">
          <Button onClick={onNext}>{t('set.next')}</Button>
        </Group>
      </Stack>
    </Card>
  )
}

/** A set that needs its school chosen (SET_CHOOSE_SCHOOL): the message lists the schools; the admin types the BRIN. */
export function ChooseSchool({ message, onChoose }: { message: string; onChoose: (brin: string) => void }) {
  const { t } = useI18n()
  const [brin, setBrin] = useState('')
  return (
    <Alert color="yellow" title={t('set.choose.title')} icon={<IconX aria-hidden />} role="alert">
      <Stack gap="xs">
        <Text size="sm">{message}</Text>
        <Group align="end">
          <TextInput label={t('set.choose.brin')} value={brin} onChange={(e) => setBrin(e.currentTarget.value)} />
          <Button onClick={() => brin.trim() && onChoose(brin.trim())}>{t('set.choose.go')}</Button>
        </Group>
      </Stack>
    </Alert>
  )
}

/**
 * "Welke van deze zijn stamklassen?": the set's candidate stamklassen (classParts) with the
 * pupils each covers, none ticked at first (after a choice, the chosen ones), and a button
 * that reads the set again with the ticked names.
 */
export function ChooseStamklassen({ set, onChoose }: { set: RosterSet; onChoose: (names: string[]) => void }) {
  const { t, plural } = useI18n()
  const [chosen, setChosen] = useState<string[]>(() =>
    set.inferRule === 'chosen' ? set.inferredClasses.map((c) => c.name) : [],
  )
  return (
    <Alert color="blue" title={t('set.stamklassen.title')} data-testid="set-stamklassen">
      <Stack gap="xs">
        <Text size="sm">{t('set.stamklassen.text')}</Text>
        <Checkbox.Group value={chosen} onChange={setChosen} aria-label={t('set.stamklassen.title')}>
          <Group gap="md">
            {set.classParts.map((c) => (
              <Checkbox key={c.name} value={c.name} label={`${c.name} (${plural('set.pupils', c.pupils)})`} />
            ))}
          </Group>
        </Checkbox.Group>
        <Group>
          <Button size="sm" disabled={chosen.length === 0} onClick={() => onChoose(chosen)}>
            {t('set.stamklassen.go')}
          </Button>
        </Group>
      </Stack>
    </Alert>
  )
}
