/** A file column with the Numo field it is currently matched to (null: not matched). */
export interface MappingColumn {
  index: number
  header: string
  field: string | null
}

/** A Numo field a column can be matched to. */
export interface MappingField {
  name: string
  label: string
  labelEn: string
  required: boolean
}

/** Why the mapping cannot be used yet. */
export type MappingProblem =
  | { code: 'REQUIRED_UNMATCHED'; field: MappingField }
  | { code: 'DOUBLE_MATCH'; field: MappingField; columns: string[] }

/**
 * The problems that block "Verder" on the mapping step: a required field no column is matched
 * to, and a field more than one column is matched to. In the order of the fields, so the list
 * reads like the form. An empty list means the mapping can be sent to the server (which checks
 * it again and may report more, e.g. a level value it cannot place).
 */
export function mappingProblems(columns: readonly MappingColumn[], fields: readonly MappingField[]): MappingProblem[] {
  const byField = new Map<string, string[]>()
  for (const col of columns) {
    if (!col.field) continue
    const headers = byField.get(col.field) ?? []
    headers.push(col.header || `#${col.index + 1}`)
    byField.set(col.field, headers)
  }
  const problems: MappingProblem[] = []
  for (const field of fields) {
    const headers = byField.get(field.name) ?? []
    if (headers.length > 1) problems.push({ code: 'DOUBLE_MATCH', field, columns: headers })
    else if (field.required && headers.length === 0) problems.push({ code: 'REQUIRED_UNMATCHED', field })
  }
  return problems
}
