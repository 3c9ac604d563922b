import { graphql } from '../../gql'

/** The school's imports, newest first. */
export const ImportHistoryQuery = graphql(`
  query ImportHistory($schoolId: ID!, $first: Int!, $after: Cursor) {
    node(id: $schoolId) {
      __typename
      ... on School {
        id
        importJobs(first: $first, after: $after, orderBy: { field: CREATED_AT, direction: DESC }) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            node {
              id
              createdAt
              committedAt
              fileName
              rowCount
              status
              added
              updated
              archived
              unchanged
              refused
              error
              reportUrl
            }
          }
        }
      }
    }
  }
`)
