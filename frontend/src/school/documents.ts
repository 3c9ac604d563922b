import { graphql } from '../gql'

/** The schools the viewer may administer; one demo school ("99XX") today. */
export const SchoolsQuery = graphql(`
  query Schools {
    schools(first: 50, orderBy: { field: NAME }) {
      edges {
        node {
          id
          name
          brin
          archiveThreshold
        }
      }
    }
  }
`)
