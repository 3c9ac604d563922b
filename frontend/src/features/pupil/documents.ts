import { graphql } from '../../gql'

/** The signed-in pupil's own account, as the school keeps it. */
export const MyDataQuery = graphql(`
  query MyData {
    viewer {
      school {
        id
        name
        brin
      }
      account {
        id
        externalKey
        firstName
        infix
        lastName
        email
        username
        level
        year
        class {
          id
          name
        }
      }
    }
  }
`)
