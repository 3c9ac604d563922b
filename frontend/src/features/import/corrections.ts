import { graphql } from '../../gql'

// Issue 17, "fix it here instead of in Excel": the GraphQL documents of the preview's
// corrections, the refused rows download and the summary per class, and the pure helpers
// the components use.

/** What the preview needs besides PreviewQuery: the file's columns, the corrections, the download and the class summary. */
export const CorrectionsQuery = graphql(`
  query ImportCorrections($id: ID!) {
    node(id: $id) {
      __typename
      ... on ImportJob {
        id
        refusedRowsUrl
        columns {
          index
          header
          field
        }
        corrections {
          line
          sourceFile
          column
          before
          after
        }
        preview {
          classSummary {
            moves {
              from
              to
              count
            }
            movesTotal
            emptyClasses
            newClasses
            withoutEmail
          }
        }
      }
    }
  }
`)

export const CorrectRowMutation = graphql(`
  mutation CorrectRow($jobId: ID!, $line: Int!, $sourceFile: String, $values: [CellCorrectionInput!]!) {
    correctRow(jobId: $jobId, line: $line, sourceFile: $sourceFile, values: $values) {
      line
      sourceFile
      accepted
      outcome
      reasons {
        line
        sourceFile
        column
        code
        message
        messageEn
      }
      preview {
        counts {
          added
          updated
          refused
        }
      }
    }
  }
`)

/** The corrections the report shows. */
export const ReportCorrectionsQuery = graphql(`
  query ImportReportCorrections($id: ID!) {
    node(id: $id) {
      __typename
      ... on ImportJob {
        id
        corrections {
          line
          sourceFile
          column
          before
          after
        }
      }
    }
  }
`)

/** Longest value a cell may get (jobs.MaxCorrectionLength). */
export const maxCellLength = 200

/** A refused row as the preview shows it: enough to prefill the correction form. */
export interface RefusedRow {
  line: number
  sourceFile?: string | null
  key: string
  firstName: string
  infix: string
  lastName: string
  className: string
  level: string
  year?: number | null
  email: string
  reasons: readonly { column?: string | null }[]
}

export interface FileColumn {
  index: number
  header: string
  field?: string | null
}

export interface CellCorrection {
  line: number
  sourceFile?: string | null
  column: string
  before: string
  after: string
}

/** The value the preview knows of a row's mapped field ("" when it does not show it). */
export function fieldValue(row: RefusedRow, field: string | null | undefined): string {
  switch (field) {
    case 'key':
      return row.key
    case 'firstName':
      return row.firstName
    case 'infix':
      return row.infix
    case 'lastName':
      return row.lastName
    case 'class':
      return row.className
    case 'level':
      return row.level
    case 'year':
      return row.year == null ? '' : String(row.year)
    case 'email':
      return row.email
  }
  return ''
}

/**
 * The columns the correction form offers for a refused row: the columns its reasons name
 * first; all mapped columns when a reason names none (a row with too many cells); each with
 * the value it has now (an earlier correction's, else what the preview shows).
 */
export function correctionFields(
  row: RefusedRow,
  columns: readonly FileColumn[],
  corrections: readonly CellCorrection[],
): { column: FileColumn; value: string }[] {
  const named = new Set(row.reasons.map((r) => r.column).filter((c): c is string => !!c))
  const wanted = columns.filter((c) => named.has(c.header))
  const offered = wanted.length > 0 && wanted.length === named.size ? wanted : columns.filter((c) => c.field || named.has(c.header))
  return offered.map((column) => {
    const earlier = corrections.find(
      (c) => c.line === row.line && (c.sourceFile ?? null) === (row.sourceFile ?? null) && c.column === column.header,
    )
    return { column, value: earlier ? earlier.after : fieldValue(row, column.field) }
  })
}

/** The lines corrected in the app, each once, in order: "3", or "users.csv:3" for a set's row. */
export function correctedLines(corrections: readonly CellCorrection[]): string[] {
  const seen = new Set<string>()
  for (const c of corrections) seen.add(c.sourceFile ? `${c.sourceFile}:${c.line}` : String(c.line))
  return [...seen]
}
