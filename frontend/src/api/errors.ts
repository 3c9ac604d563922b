import type { CombinedError } from 'urql'

/** A row- or mapping-level problem as the server reports it in extensions.problems. */
export interface ServerProblem {
  code: string
  message: string
  messageEn?: string | null
  column?: string | number | null
  line?: number | null
}

/** One error of an operation, with the fields the server puts in extensions. */
export interface ApiError {
  /** extensions.code, e.g. FILE_REJECTED, MAPPING_INVALID, STALE_PREVIEW; NETWORK when unreachable. */
  code: string
  message: string
  messageEn?: string
  line?: number
  /** FILE_REJECTED: the importer's refusal code (extensions.reason), e.g. no_rows. */
  reason?: string
  problems: ServerProblem[]
  /** MAPPING_INVALID: the file's level values that are not decided yet (extensions.unknownLevels). */
  unknownLevels: { value: string; count: number }[]
}

function asString(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined
}

/** Flattens urql's CombinedError into the server's coded errors. */
export function apiErrors(error: CombinedError | undefined | null): ApiError[] {
  if (!error) return []
  if (error.networkError && error.graphQLErrors.length === 0) {
    return [{ code: 'NETWORK', message: error.networkError.message, problems: [], unknownLevels: [] }]
  }
  return error.graphQLErrors.map((e) => {
    const ext = (e.extensions ?? {}) as Record<string, unknown>
    const problems = Array.isArray(ext.problems) ? (ext.problems as ServerProblem[]) : []
    return {
      code: asString(ext.code) ?? 'UNKNOWN',
      message: e.message,
      messageEn: asString(ext.messageEn),
      line: typeof ext.line === 'number' ? ext.line : undefined,
      reason: asString(ext.reason),
      problems,
      unknownLevels: Array.isArray(ext.unknownLevels) ? (ext.unknownLevels as ApiError['unknownLevels']) : [],
    }
  })
}

/** The first error with one of the codes, if any. */
export function findError(error: CombinedError | undefined | null, ...codes: string[]): ApiError | undefined {
  return apiErrors(error).find((e) => codes.includes(e.code))
}
