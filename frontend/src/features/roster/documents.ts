import { graphql } from '../../gql'

/** A school's classes with their number of active pupils, for the class picker. */
export const ClassesQuery = graphql(`
  query Classes($schoolId: ID!, $search: String) {
    node(id: $schoolId) {
      __typename
      ... on School {
        id
        classes(first: 500, orderBy: [{ field: NAME }], where: { nameContainsFold: $search }) {
          totalCount
          edges {
            node {
              id
              name
              year
              level
              pupils(where: { status: ACTIVE }) {
                totalCount
              }
            }
          }
        }
      }
    }
  }
`)

/** One page of a class's active pupils. */
export const ClassPupilsQuery = graphql(`
  query ClassPupils(
    $classId: ID!
    $first: Int!
    $after: Cursor
    $where: AccountWhereInput
    $orderBy: [AccountOrder!]
  ) {
    node(id: $classId) {
      __typename
      ... on Class {
        id
        name
        year
        level
        pupils(first: $first, after: $after, where: $where, orderBy: $orderBy) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            node {
              id
              externalKey
              firstName
              infix
              lastName
              email
              level
              year
              status
            }
          }
        }
      }
    }
  }
`)

/** One page of a school's archived accounts. */
export const ArchivedAccountsQuery = graphql(`
  query ArchivedAccounts(
    $schoolId: ID!
    $first: Int!
    $after: Cursor
    $where: AccountWhereInput
    $orderBy: [AccountOrder!]
  ) {
    node(id: $schoolId) {
      __typename
      ... on School {
        id
        accounts(first: $first, after: $after, where: $where, orderBy: $orderBy) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            node {
              id
              externalKey
              firstName
              infix
              lastName
              email
              level
              year
              archivedAt
              class {
                id
                name
              }
            }
          }
        }
      }
    }
  }
`)

/** Where one pupil's data can be downloaded (JSON); asked only when someone downloads it. */
export const AccountExportQuery = graphql(`
  query AccountExport($id: ID!) {
    node(id: $id) {
      __typename
      ... on Account {
        id
        exportUrl
      }
    }
  }
`)

/** Erases one pupil for good: the account and every trace in the import history. */
export const ErasePupilMutation = graphql(`
  mutation ErasePupil($accountId: ID!) {
    erasePupil(accountId: $accountId)
  }
`)
