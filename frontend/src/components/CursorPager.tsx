import { Button, Group, Text } from '@mantine/core'
import { IconChevronLeft, IconChevronRight } from '@tabler/icons-react'
import { useCallback, useState } from 'react'
import { useI18n } from '../i18n'

/**
 * Page state for a Relay connection: ent's cursors only go forward, so the cursors of the
 * pages already seen are kept to go back.
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState<(string | null)[]>([null])
  const page = cursors.length - 1
  const next = useCallback((endCursor: string | null | undefined) => {
    if (endCursor) setCursors((c) => [...c, endCursor])
  }, [])
  const previous = useCallback(() => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)), [])
  const reset = useCallback(() => setCursors([null]), [])
  return { after: cursors[page], page, next, previous, reset }
}

/** "1–50 van 123" with previous/next buttons. */
export function CursorPager({
  page,
  pageSize,
  shown,
  total,
  hasNext,
  onPrevious,
  onNext,
}: {
  page: number
  pageSize: number
  shown: number
  total: number
  hasNext: boolean
  onPrevious: () => void
  onNext: () => void
}) {
  const { t, num } = useI18n()
  const from = total === 0 ? 0 : page * pageSize + 1
  const to = page * pageSize + shown
  return (
    <Group justify="space-between" wrap="wrap">
      <Text size="sm" c="dimmed" aria-live="polite">
        {t('pager.range', { from: num(from), to: num(to), total: num(total) })}
      </Text>
      <Group gap="xs">
        <Button
          variant="default"
          size="xs"
          leftSection={<IconChevronLeft size={14} aria-hidden />}
          disabled={page === 0}
          onClick={onPrevious}
        >
          {t('pager.previous')}
        </Button>
        <Button
          variant="default"
          size="xs"
          rightSection={<IconChevronRight size={14} aria-hidden />}
          disabled={!hasNext}
          onClick={onNext}
        >
          {t('pager.next')}
        </Button>
      </Group>
    </Group>
  )
}
