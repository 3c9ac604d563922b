import { Group, Table, Text, UnstyledButton } from '@mantine/core'
import { IconChevronDown, IconChevronUp, IconSelector } from '@tabler/icons-react'
import type { ReactNode } from 'react'

/** A column header that sorts the table; aria-sort tells screen readers the current order. */
export function SortHeader({
  children,
  sorted,
  reversed,
  onSort,
}: {
  children: ReactNode
  sorted: boolean
  reversed: boolean
  onSort: () => void
}) {
  const Icon = sorted ? (reversed ? IconChevronUp : IconChevronDown) : IconSelector
  return (
    <Table.Th scope="col" aria-sort={sorted ? (reversed ? 'descending' : 'ascending') : 'none'} p={0}>
      <UnstyledButton onClick={onSort} px="sm" py={6} w="100%">
        <Group justify="space-between" wrap="nowrap" gap={4}>
          <Text fw={700} size="sm">
            {children}
          </Text>
          <Icon size={14} aria-hidden />
        </Group>
      </UnstyledButton>
    </Table.Th>
  )
}
