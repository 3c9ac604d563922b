import { graphql } from '../../gql'

/**
 * A teacher's own groups (the lesgroepen and stamklassen they teach or mentor) with their active
 * pupils, in one query: a stamklas's pupils, a lesgroep's members. The server shows a teacher
 * nothing else of the school.
 */
export const MyGroupsQuery = graphql(`
  query MyGroups {
    viewer {
      account {
        id
        teachingClasses(first: 60, orderBy: [{ field: KIND, direction: DESC }, { field: NAME }]) {
          totalCount
          edges {
            node {
              id
              name
              kind
              subject
              level
              year
              mentors {
                id
              }
              rosterCsvUrl
              pupils(first: 60, where: { status: ACTIVE }, orderBy: [{ field: LAST_NAME }, { field: FIRST_NAME }]) {
                ...MyGroupPupils
              }
              members(first: 60, where: { status: ACTIVE }, orderBy: [{ field: LAST_NAME }, { field: FIRST_NAME }]) {
                ...MyGroupPupils
              }
            }
          }
        }
      }
    }
  }
  fragment MyGroupPupils on AccountConnection {
    totalCount
    edges {
      node {
        id
        externalKey
        firstName
        infix
        lastName
        email
        class {
          id
          name
        }
      }
    }
  }
`)
