import { graphql } from '../../gql'

/** The school's imports that ran (committed, running, failed or undone), newest first; unfinished ones are not history. */
export const ImportHistoryQuery = graphql(`
  query ImportHistory($schoolId: ID!, $first: Int!, $after: Cursor) {
    node(id: $schoolId) {
      __typename
      ... on School {
        id
        importJobs(
          first: $first
          after: $after
          orderBy: { field: CREATED_AT, direction: DESC }
          where: { statusIn: [COMMITTING, COMMITTED, FAILED, UNDONE] }
        ) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            node {
              id
              createdAt
              committedAt
              fileName
              rowCount
              status
              added
              updated
              archived
              removed
              unchanged
              refused
              kept
              damaged
              error
              reportUrl
              kind
              fileKind
              source
              undoneAt
              undoOf {
                id
                fileName
              }
            }
          }
        }
      }
    }
  }
`)

/** What undoing an import would do, without doing it. */
export const UndoPreviewQuery = graphql(`
  query UndoPreview($jobId: ID!) {
    undoPreview(jobId: $jobId) {
      jobId
      possible
      reason
      reasonEn
      removeAdded
      restoreUpdated
      reactivate
      removeClasses
      groupsJoined
      groupsLeft
      conflicts {
        accountId
        key
        name
        reason
        reasonEn
      }
    }
  }
`)

/** Undoes a committed import; the answer is the new UNDO job of the history. */
export const UndoImportMutation = graphql(`
  mutation UndoImport($jobId: ID!, $skipConflicts: Boolean) {
    undoImport(jobId: $jobId, skipConflicts: $skipConflicts) {
      id
      kind
      status
      undoOfID
    }
  }
`)

/** The school's newest unfinished import (uploaded, mapped or previewed, never applied): the wizard offers to continue it. */
export const UnfinishedImportQuery = graphql(`
  query UnfinishedImport($schoolId: ID!) {
    node(id: $schoolId) {
      __typename
      ... on School {
        id
        importJobs(
          first: 1
          orderBy: { field: CREATED_AT, direction: DESC }
          where: { statusIn: [UPLOADED, MAPPED, PREVIEWED], kind: IMPORT }
        ) {
          totalCount
          edges {
            node {
              id
              fileName
              createdAt
              status
              source
            }
          }
        }
      }
    }
  }
`)

/** Throws an unfinished import away: it leaves the history. */
export const DiscardImportMutation = graphql(`
  mutation DiscardImport($jobId: ID!) {
    discardImport(jobId: $jobId)
  }
`)
