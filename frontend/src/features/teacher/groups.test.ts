import { describe, expect, it } from 'vitest'
import type { MyGroupsQuery } from '../../gql/graphql'
import { myGroups, pupilMatches } from './groups'

const pupil = (id: string, firstName: string, infix: string, lastName: string, klas: string) => ({
  id,
  externalKey: id,
  firstName,
  infix,
  lastName,
  email: '',
  class: { id: `c-${klas}`, name: klas },
})
const conn = (nodes: ReturnType<typeof pupil>[]) => ({ totalCount: nodes.length, edges: nodes.map((node) => ({ node })) })
const empty = conn([])

const data = {
  viewer: {
    account: {
      id: 't1',
      teachingClasses: {
        totalCount: 2,
        edges: [
          {
            node: {
              id: 'c1', name: '4HA', kind: 'STAMKLAS', subject: '', level: 'havo', year: 4,
              mentors: [{ id: 't1' }],
              rosterCsvUrl: '/api/classes/1/roster.csv',
              pupils: conn([pupil('31001', 'Ilse', '', 'Vermeulen', '4HA'), pupil('31003', 'Yara', 'el', 'Amrani', '4HA')]),
              members: empty,
            },
          },
          {
            node: {
              id: 'g1', name: '4h.en1', kind: 'LESGROEP', subject: 'Engels', level: null, year: null,
              mentors: [],
              rosterCsvUrl: null,
              pupils: empty,
              members: { ...conn([pupil('31002', 'Tim', 'van', 'Rossum', '4HA')]), totalCount: 70 },
            },
          },
        ],
      },
    },
  },
} as unknown as MyGroupsQuery

describe('myGroups', () => {
  it('takes a stamklas\'s pupils and a lesgroep\'s members, and marks the class the teacher mentors', () => {
    const groups = myGroups(data)
    expect(groups.map((g) => [g.name, g.kind, g.mentor, g.total, g.pupils.map((p) => p.lastName)])).toEqual([
      ['4HA', 'STAMKLAS', true, 2, ['Vermeulen', 'Amrani']],
      ['4h.en1', 'LESGROEP', false, 70, ['Rossum']],
    ])
    expect(groups[1].pupils[0].className).toBe('4HA')
    expect(groups.map((g) => g.csvUrl)).toEqual(['/api/classes/1/roster.csv', null])
  })
  it('is empty without an account (an API token, or nothing loaded)', () => {
    expect(myGroups(undefined)).toEqual([])
    expect(myGroups({ viewer: null } as MyGroupsQuery)).toEqual([])
  })
})

describe('pupilMatches', () => {
  const yara = myGroups(data)[0].pupils[1]
  it('finds a pupil by name as typed (capitals, accents and the infix do not matter) or by number', () => {
    expect(pupilMatches(yara, '')).toBe(true)
    expect(pupilMatches(yara, 'AMRANI')).toBe(true)
    expect(pupilMatches(yara, 'yara el')).toBe(true)
    expect(pupilMatches(yara, '3100')).toBe(true)
    expect(pupilMatches(yara, 'Vermeulen')).toBe(false)
  })
})
