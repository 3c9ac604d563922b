import { Alert, NumberInput, Stack, Text } from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
import { useI18n } from '../../i18n'
import type { YearGuard } from './yearGuard'

/**
 * The warning at the top of the preview when the import moves more pupils back a leerjaar than
 * the school's threshold allows (most often: last year's export uploaded again), with the same
 * typed confirmation as the archive guard. Renders nothing when the guard does not apply.
 */
export function YearGuardAlert({ guard, value, onChange }: { guard: YearGuard; value: number | ''; onChange: (v: number | '') => void }) {
  const { t, num, plural } = useI18n()
  if (!guard.confirmationRequired) return null
  return (
    <Alert color="red" icon={<IconAlertTriangle aria-hidden />} title={plural('preview.yearGuard.title', guard.yearDown)} role="alert" data-testid="year-guard">
      <Stack gap="xs">
        <Text size="sm">
          {t('preview.yearGuard.text', { n: num(guard.yearDown), active: num(guard.activePupils), percent: guard.thresholdPercent })}
        </Text>
        <NumberInput
          label={t('preview.yearGuard.input', { n: num(guard.yearDown) })}
          value={value}
          onChange={(v) => onChange(typeof v === 'number' ? v : v === '' ? '' : Number(v))}
          allowDecimal={false}
          allowNegative={false}
          hideControls
          styles={{ input: { maxWidth: 200 } }}
          error={value !== '' && value !== guard.yearDown ? t('preview.yearGuard.mismatch') : undefined}
        />
      </Stack>
    </Alert>
  )
}
