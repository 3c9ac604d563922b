import { graphql } from '../../gql'

/** Everything the wizard needs about a job to restore its step after a reload. */
export const ImportJobQuery = graphql(`
  query ImportJob($id: ID!) {
    node(id: $id) {
      __typename
      ... on ImportJob {
        id
        schoolID
        status
        fileKind
        createdAt
        fileName
        fileSize
        encoding
        delimiter
        headerLine
        rowCount
        source
        nextJob {
          id
          fileKind
          status
        }
        phase
        progressDone
        progressTotal
        error
        columns {
          index
          header
          samples
          field
          confidence
        }
        fields {
          name
          label
          labelEn
          required
        }
        levels
        levelValues {
          value
          count
          level
          decided
        }
        unknownLevelsTotal
        otherLevels
        mappingProblems {
          line
          sourceFile
          column
          code
          message
          messageEn
        }
      }
    }
  }
`)

export const UploadMutation = graphql(`
  mutation Upload($schoolId: ID!, $file: Upload!) {
    upload(schoolId: $schoolId, file: $file) {
      id
      status
    }
  }
`)

export const SetMappingMutation = graphql(`
  mutation SetMapping($jobId: ID!, $columns: [ColumnMappingInput!]!, $levels: [LevelMappingInput!], $otherLevels: OtherLevels) {
    setMapping(jobId: $jobId, columns: $columns, levels: $levels, otherLevels: $otherLevels) {
      id
      status
      otherLevels
      columns {
        index
        field
        confidence
      }
      mappingProblems {
        line
        sourceFile
        column
        code
        message
        messageEn
      }
    }
  }
`)

/**
 * Says what the file holds when upload recognised it wrongly: Numo proposes the mapping again
 * for that kind's fields (stored unconfirmed, for the mapping step to show).
 */
export const SetKindMutation = graphql(`
  mutation SetKind($jobId: ID!, $kind: ImportKind!) {
    setMapping(jobId: $jobId, columns: [], kind: $kind) {
      id
      status
      fileKind
    }
  }
`)

export const PreviewMutation = graphql(`
  mutation Preview($jobId: ID!, $actions: [ImportAction!]!) {
    preview(jobId: $jobId, actions: $actions) {
      actions
      counts {
        added
        updated
        archived
        unchanged
        skipped
        refused
        kept
        damaged
        groupsJoined
        groupsLeft
      }
    }
  }
`)

/** The stored preview with one page of its users; paging and filtering re-run only this. */
export const PreviewQuery = graphql(`
  query ImportPreview($id: ID!, $outcome: PreviewOutcome, $search: String, $offset: Int, $limit: Int) {
    node(id: $id) {
      __typename
      ... on ImportJob {
        id
        status
        preview {
          actions
          counts {
            added
            updated
            archived
            unchanged
            skipped
            refused
            kept
            damaged
            groupsJoined
            groupsLeft
          }
          classesToCreate
          groupsToCreate
          damagedValues {
            line
            sourceFile
            column
            field
            key
            stored
            file
            kept
          }
          warnings {
            line
            sourceFile
            column
            code
            message
            messageEn
          }
          archiveGuard {
            confirmationRequired
            toArchive
            activePupils
            thresholdPercent
          }
          yearGuard {
            confirmationRequired
            yearDown
            activePupils
            thresholdPercent
          }
          users(outcome: $outcome, search: $search, offset: $offset, limit: $limit) {
            total
            offset
            items {
              outcome
              line
              sourceFile
              key
              firstName
              infix
              lastName
              className
              level
              year
              email
              groups
              mentorOf
              changes {
                field
                before
                after
              }
              reasons {
                line
                sourceFile
                column
                code
                message
                messageEn
              }
            }
          }
        }
      }
    }
  }
`)

export const CommitMutation = graphql(`
  mutation Commit($jobId: ID!, $confirmArchive: Int, $confirmYearDown: Int) {
    commit(jobId: $jobId, confirmArchive: $confirmArchive, confirmYearDown: $confirmYearDown) {
      id
      status
    }
  }
`)

export const ImportProgressSubscription = graphql(`
  subscription ImportProgress($jobId: ID!) {
    importProgress(jobId: $jobId) {
      jobId
      status
      phase
      done
      total
      final
      error
      counts {
        added
        updated
        archived
        unchanged
        skipped
        refused
        kept
        damaged
      }
    }
  }
`)

/** The outcome of a finished job, for the result step (also after a reload). */
export const ImportReportQuery = graphql(`
  query ImportReport($id: ID!) {
    node(id: $id) {
      __typename
      ... on ImportJob {
        id
        status
        error
        fileName
        fileKind
        reportUrl
        report {
          counts {
            added
            updated
            archived
            unchanged
            skipped
            refused
            kept
            damaged
            groupsJoined
            groupsLeft
          }
          classesCreated
          groupsCreated
          damagedValues {
            line
            sourceFile
            column
            field
            key
            stored
            file
            kept
          }
          refused {
            line
            sourceFile
            column
            code
            message
            messageEn
          }
          warnings {
            line
            sourceFile
            column
            code
            message
            messageEn
          }
        }
      }
    }
  }
`)

/** A roster set (SDS, OneRoster): several files or one zip; it becomes a pupil job and a teacher job. */
export const UploadRosterSetMutation = graphql(`
  mutation UploadRosterSet($schoolId: ID!, $files: [Upload!]!, $brin: String, $stamklassen: [String!]) {
    uploadRosterSet(schoolId: $schoolId, files: $files, brin: $brin, stamklassen: $stamklassen) {
      format
      version
      pupils
      teachers
      groups
      skippedTotal
      warningsTotal
      warnings {
        file
        line
        message
        messageEn
      }
      inferRule
      inferredClasses {
        name
        file
        line
        pupils
      }
      classParts {
        name
        pupils
        section
      }
      skipped {
        file
        line
        reason
        reasonEn
      }
      school {
        sourceId
        name
        identifier
      }
      schools {
        sourceId
        name
        identifier
      }
      jobs {
        id
        fileKind
        status
      }
    }
  }
`)
