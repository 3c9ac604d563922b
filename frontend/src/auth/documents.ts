import { graphql } from '../gql'

/** Who is signed in; null when nobody is. */
export const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      role
      scopes
      mustChangePassword
      account {
        id
        firstName
        infix
        lastName
        username
      }
      school {
        id
        name
        brin
      }
    }
  }
`)

/** Changes the signed-in account's password (also the first one after a one-time password). */
export const ChangePasswordMutation = graphql(`
  mutation ChangePassword($oldPassword: String!, $newPassword: String!) {
    changePassword(oldPassword: $oldPassword, newPassword: $newPassword)
  }
`)
