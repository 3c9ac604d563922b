import { graphql } from '../../gql'

/**
 * A school's stamklassen and lesgroepen with their number of active pupils (a stamklas's pupils,
 * a lesgroep's members), stamklassen first, for the class picker; kinds null is both.
 */
export const ClassesQuery = graphql(`
  query Classes($schoolId: ID!, $search: String, $kinds: [ClassKind!]) {
    node(id: $schoolId) {
      __typename
      ... on School {
        id
        classes(
          first: 500
          orderBy: [{ field: KIND, direction: DESC }, { field: NAME }]
          where: { nameContainsFold: $search, kindIn: $kinds }
        ) {
          totalCount
          edges {
            node {
              id
              name
              year
              level
              kind
              subject
              pupils(where: { status: ACTIVE }) {
                totalCount
              }
              members(where: { status: ACTIVE }) {
                totalCount
              }
            }
          }
        }
      }
    }
  }
`)

/** One class's heading: its kind and subject, its teachers and which of them are mentor. */
export const ClassQuery = graphql(`
  query Class($classId: ID!) {
    node(id: $classId) {
      __typename
      ... on Class {
        id
        name
        year
        level
        kind
        subject
        teachers(first: 50, orderBy: [{ field: LAST_NAME }, { field: FIRST_NAME }]) {
          totalCount
          edges {
            node {
              id
              firstName
              infix
              lastName
            }
          }
        }
        mentors {
          id
        }
        rosterCsvUrl
      }
    }
  }
`)

/**
 * One page of a class's active pupils: a stamklas's pupils (with their lesgroepen) or, with
 * $members, a lesgroep's members (with their stamklas).
 */
export const ClassPupilsQuery = graphql(`
  query ClassPupils(
    $classId: ID!
    $members: Boolean!
    $first: Int!
    $after: Cursor
    $where: AccountWhereInput
    $orderBy: [AccountOrder!]
  ) {
    node(id: $classId) {
      __typename
      ... on Class {
        id
        pupils(first: $first, after: $after, where: $where, orderBy: $orderBy) @skip(if: $members) {
          ...PupilPage
        }
        members(first: $first, after: $after, where: $where, orderBy: $orderBy) @include(if: $members) {
          ...PupilPage
        }
      }
    }
  }
  fragment PupilPage on AccountConnection {
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
        class {
          id
          name
        }
        groups(first: 20, orderBy: [{ field: NAME }]) {
          totalCount
          edges {
            node {
              id
              name
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

/** Plans moving selected pupils to another stamklas, or archiving them: a previewed import the app makes. */
export const PlanRosterChangeMutation = graphql(`
  mutation PlanRosterChange($schoolId: ID!, $accountIds: [ID!]!, $moveToClassId: ID, $archive: Boolean) {
    planRosterChange(schoolId: $schoolId, accountIds: $accountIds, moveToClassId: $moveToClassId, archive: $archive) {
      id
      status
    }
  }
`)
