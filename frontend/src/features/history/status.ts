import type { ImportJobKind, ImportJobStatus } from '../../gql/graphql'
import type { MessageKey } from '../../i18n'

/** The label key and colour of a job status badge (UNDO: a finished undo job). */
export const jobStatus: Record<ImportJobStatus | 'UNDO', { key: MessageKey; color: string }> = {
  UPLOADED: { key: 'status.UPLOADED', color: 'gray' },
  MAPPED: { key: 'status.MAPPED', color: 'gray' },
  PREVIEWED: { key: 'status.PREVIEWED', color: 'blue' },
  COMMITTING: { key: 'status.COMMITTING', color: 'yellow' },
  COMMITTED: { key: 'status.COMMITTED', color: 'teal' },
  FAILED: { key: 'status.FAILED', color: 'red' },
  UNDONE: { key: 'status.UNDONE', color: 'orange' },
  UNDO: { key: 'status.UNDO', color: 'teal' },
}

/** A job of the history, as far as undoing goes. */
export interface UndoCandidate {
  id: string
  kind: ImportJobKind
  status: ImportJobStatus
}

/**
 * The job that can be undone from the history: the newest import that is committed, while no
 * import is being committed after it. Jobs come newest first; an undo job itself is skipped
 * (after an undo, the import before the undone one is the newest again).
 */
export function undoableJobId(jobs: readonly UndoCandidate[]): string | null {
  for (const j of jobs) {
    if (j.status === 'COMMITTING') return null
    if (j.kind === 'IMPORT' && j.status === 'COMMITTED') return j.id
  }
  return null
}
