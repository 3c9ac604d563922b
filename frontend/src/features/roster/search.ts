import type { AccountWhereInput } from '../../gql/graphql'

/** A case-insensitive search on name, key or e-mail as an ent where-input (undefined: no search). */
export function accountSearch(search: string): AccountWhereInput | undefined {
  const q = search.trim()
  if (!q) return undefined
  return {
    or: [
      { firstNameContainsFold: q },
      { lastNameContainsFold: q },
      { infixContainsFold: q },
      { externalKeyContainsFold: q },
      { emailContainsFold: q },
    ],
  }
}

/** The sort orders the roster tables offer. */
export type SortKey = 'name' | 'key'
