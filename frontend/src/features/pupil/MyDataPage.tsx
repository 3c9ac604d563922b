import { Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core'
import { IconDownload } from '@tabler/icons-react'
import { useState } from 'react'
import { useClient, useQuery } from 'urql'
import { ErrorAlert } from '../../components/ErrorAlert'
import { Loading } from '../../components/Loading'
import { useI18n, type MessageKey } from '../../i18n'
import { fullName } from '../../names'
import { downloadPupilData } from '../roster/pupilData'
import { MyDataQuery } from './documents'

/** Mijn gegevens: what the school keeps about the signed-in pupil, and a download of all of it. */
export function MyDataPage() {
  const i18n = useI18n()
  const { t } = i18n
  const client = useClient()
  const [downloading, setDownloading] = useState(false)
  const [{ data, fetching, error }, refetch] = useQuery({ query: MyDataQuery, requestPolicy: 'cache-and-network' })
  const account = data?.viewer?.account ?? null
  const school = data?.viewer?.school ?? null

  const rows: [MessageKey, string][] = account
    ? [
        ['mydata.name', fullName(account)],
        ['mydata.key', account.externalKey ?? ''],
        ['mydata.class', account.class?.name ?? ''],
        ['mydata.level', account.level],
        ['mydata.year', account.year != null ? String(account.year) : ''],
        ['mydata.email', account.email],
        ['mydata.username', account.username],
        ['mydata.school', school ? `${school.name} (${school.brin})` : ''],
      ]
    : []

  return (
    <Stack gap="md" maw={720}>
      <div>
        <Title order={1} size="h2">
          {t('nav.myData')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('mydata.intro')}
        </Text>
      </div>
      {error && <ErrorAlert error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />}
      {!account && fetching && <Loading />}
      {account && (
        <Paper withBorder p="lg" radius="md">
          <Stack gap="md">
            <Table variant="vertical" layout="fixed" withTableBorder={false} aria-label={t('nav.myData')}>
              <Table.Tbody>
                {rows.map(([key, value]) => (
                  <Table.Tr key={key}>
                    <Table.Th w={180} scope="row">
                      {t(key)}
                    </Table.Th>
                    <Table.Td>{value || <Text span c="dimmed">—</Text>}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            <Group>
              <Button
                leftSection={<IconDownload size={18} aria-hidden />}
                loading={downloading}
                onClick={async () => {
                  setDownloading(true)
                  await downloadPupilData(client, account.id, i18n)
                  setDownloading(false)
                }}
              >
                {t('mydata.download')}
              </Button>
            </Group>
            <Text size="sm" c="dimmed">
              {t('mydata.wrong')}
            </Text>
          </Stack>
        </Paper>
      )}
    </Stack>
  )
}
