import type { MyGroupsQuery as MyGroupsResult } from '../../gql/graphql'
import { typeableName } from '../roster/pupilData'

type GroupNode = NonNullable<
  NonNullable<NonNullable<NonNullable<MyGroupsResult['viewer']>['account']>['teachingClasses']['edges']>[number]
>['node']

/** A teacher's group as the page shows it: the class, whether the teacher is its mentor, and its pupils. */
export interface MyGroup {
  id: string
  name: string
  kind: 'STAMKLAS' | 'LESGROEP'
  subject: string
  level: string | null
  year: number | null
  mentor: boolean
  /** Where the group's list of pupils is downloaded as CSV (null when the server does not offer it). */
  csvUrl: string | null
  total: number
  pupils: { id: string; externalKey: string | null; firstName: string; infix: string; lastName: string; email: string; className: string }[]
}

/** The groups of the MyGroups answer: a stamklas's pupils, a lesgroep's members; mentor when the viewer is among its mentors. */
export function myGroups(data: MyGroupsResult | undefined): MyGroup[] {
  const account = data?.viewer?.account
  if (!account) return []
  return (account.teachingClasses.edges ?? []).flatMap((e) => {
    const c: GroupNode | undefined | null = e?.node
    if (!c) return []
    const conn = c.kind === 'LESGROEP' ? c.members : c.pupils
    return [
      {
        id: c.id,
        name: c.name,
        kind: c.kind,
        subject: c.subject,
        level: c.level ?? null,
        year: c.year ?? null,
        mentor: c.mentors.some((m) => m.id === account.id),
        csvUrl: c.rosterCsvUrl ?? null,
        total: conn.totalCount,
        pupils: (conn.edges ?? []).flatMap((p) => (p?.node ? [{ ...p.node, className: p.node.class?.name ?? '' }] : [])),
      },
    ]
  })
}

/** Whether a pupil matches what the teacher typed (name or pupil number; accents and capitals do not matter). */
export function pupilMatches(p: MyGroup['pupils'][number], search: string): boolean {
  const q = typeableName(search)
  if (!q) return true
  const name = typeableName([p.firstName, p.infix, p.lastName].filter(Boolean).join(' '))
  return name.includes(q) || typeableName(p.lastName).includes(q) || (p.externalKey ?? '').toLowerCase().includes(q)
}
