import { describe, expect, it } from 'vitest'
import { mappingProblems, type MappingColumn, type MappingField } from './mappingProblems'

const fields: MappingField[] = [
  { name: 'key', label: 'Stamnummer', labelEn: 'Pupil number', required: true },
  { name: 'firstName', label: 'Roepnaam', labelEn: 'First name', required: true },
  { name: 'infix', label: 'Tussenvoegsel', labelEn: 'Infix', required: false },
  { name: 'lastName', label: 'Achternaam', labelEn: 'Last name', required: true },
  { name: 'class', label: 'Klas', labelEn: 'Class', required: true },
  { name: 'email', label: 'E-mail', labelEn: 'E-mail', required: false },
]

const col = (index: number, header: string, field: string | null): MappingColumn => ({ index, header, field })

const complete = [
  col(0, 'Stamnr', 'key'),
  col(1, 'Roepnaam', 'firstName'),
  col(2, 'Tussenv', 'infix'),
  col(3, 'Achternaam', 'lastName'),
  col(4, 'Klas', 'class'),
  col(5, 'Geboortedatum', null),
]

describe('mappingProblems', () => {
  it('has no problems when every required field has exactly one column', () => {
    expect(mappingProblems(complete, fields)).toEqual([])
  })

  it('allows optional fields and extra columns to stay unmatched', () => {
    const columns = complete.map((c) => (c.field === 'infix' ? { ...c, field: null } : c))
    expect(mappingProblems(columns, fields)).toEqual([])
  })

  it('blocks an unmatched required field', () => {
    const columns = complete.map((c) => (c.header === 'Achternaam' ? { ...c, field: null } : c))
    const problems = mappingProblems(columns, fields)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ code: 'REQUIRED_UNMATCHED', field: { name: 'lastName' } })
  })

  it('blocks a field matched to two columns and names both columns', () => {
    const columns = complete.map((c) => (c.header === 'Tussenv' ? { ...c, field: 'lastName' } : c))
    expect(mappingProblems(columns, fields)).toEqual([
      { code: 'DOUBLE_MATCH', field: fields[3], columns: ['Tussenv', 'Achternaam'] },
    ])
  })

  it('reports a double match on an optional field too', () => {
    const columns = [...complete, col(6, 'E-mail', 'email'), col(7, 'E-mail ouder', 'email')]
    expect(mappingProblems(columns, fields).map((p) => p.code)).toEqual(['DOUBLE_MATCH'])
  })

  it('reports every problem in the order of the fields', () => {
    const columns = [col(0, 'Naam', 'lastName'), col(1, 'Achternaam', 'lastName')]
    expect(mappingProblems(columns, fields).map((p) => `${p.code}:${p.field.name}`)).toEqual([
      'REQUIRED_UNMATCHED:key',
      'REQUIRED_UNMATCHED:firstName',
      'DOUBLE_MATCH:lastName',
      'REQUIRED_UNMATCHED:class',
    ])
  })

  it('names a column without a header by its position', () => {
    const columns = [...complete, col(6, '', 'class')]
    expect(mappingProblems(columns, fields)).toEqual([
      { code: 'DOUBLE_MATCH', field: fields[4], columns: ['Klas', '#7'] },
    ])
  })
})
