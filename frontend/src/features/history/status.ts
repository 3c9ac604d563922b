import type { ImportJobStatus } from '../../gql/graphql'
import type { MessageKey } from '../../i18n'

/** The label key and colour of a job status badge. */
export const jobStatus: Record<ImportJobStatus, { key: MessageKey; color: string }> = {
  UPLOADED: { key: 'status.UPLOADED', color: 'gray' },
  MAPPED: { key: 'status.MAPPED', color: 'gray' },
  PREVIEWED: { key: 'status.PREVIEWED', color: 'blue' },
  COMMITTING: { key: 'status.COMMITTING', color: 'yellow' },
  COMMITTED: { key: 'status.COMMITTED', color: 'teal' },
  FAILED: { key: 'status.FAILED', color: 'red' },
  UNDONE: { key: 'status.UNDONE', color: 'orange' },
}
