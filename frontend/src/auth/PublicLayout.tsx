import { Box, Center, Group, Paper, Stack, Text, Title } from '@mantine/core'
import type { ReactNode } from 'react'
import { LanguageToggle } from '../components/LanguageToggle'
import { useI18n } from '../i18n'

/** The frame of the pages before the app: the name, the language toggle, one centred card. */
export function PublicLayout({ title, intro, children, aside }: { title: string; intro?: string; children: ReactNode; aside?: ReactNode }) {
  const { t } = useI18n()
  return (
    <Box mih="100vh" bg="gray.0">
      <Group component="header" h={60} px="md" justify="space-between" wrap="nowrap" bg="white" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        <Text fw={700} size="xl" component="span">
          {t('app.title')}
        </Text>
        <Group gap="sm" wrap="nowrap">
          {aside}
          <LanguageToggle />
        </Group>
      </Group>
      <Center component="main" px="md" py={{ base: 'lg', sm: 64 }}>
        <Paper withBorder shadow="sm" radius="md" p={{ base: 'lg', sm: 'xl' }} w="100%" maw={440}>
          <Stack gap="xs" mb="lg">
            <Title order={1} size="h2">
              {title}
            </Title>
            {intro && (
              <Text size="sm" c="dimmed">
                {intro}
              </Text>
            )}
          </Stack>
          {children}
        </Paper>
      </Center>
    </Box>
  )
}
