import { graphql } from '../../gql'

/** The school's settings: the archive guard and the retention terms. */
export const SchoolSettingsQuery = graphql(`
  query SchoolSettings($schoolId: ID!) {
    node(id: $schoolId) {
      __typename
      ... on School {
        id
        archiveThreshold
        archivedRetentionDays
        jobDataRetentionDays
        auditRetentionDays
      }
    }
  }
`)

export const UpdateSchoolSettingsMutation = graphql(`
  mutation UpdateSchoolSettings($schoolId: ID!, $input: SchoolSettingsInput!) {
    updateSchoolSettings(schoolId: $schoolId, input: $input) {
      id
      archiveThreshold
      archivedRetentionDays
      jobDataRetentionDays
      auditRetentionDays
    }
  }
`)

/** The school's API tokens, newest first (revoked ones stay listed). */
export const ApiTokensQuery = graphql(`
  query ApiTokens($schoolId: ID!) {
    node(id: $schoolId) {
      __typename
      ... on School {
        id
        apiTokens(first: 200, orderBy: { field: CREATED_AT, direction: DESC }) {
          totalCount
          edges {
            node {
              id
              name
              prefix
              createdAt
              lastUsedAt
              revokedAt
              scopes
            }
          }
        }
      }
    }
  }
`)

export const CreateApiTokenMutation = graphql(`
  mutation CreateApiToken($schoolId: ID!, $name: String!, $scopes: [ApiTokenScope!]!) {
    createApiToken(schoolId: $schoolId, name: $name, scopes: $scopes) {
      secret
      token {
        id
        name
        prefix
        createdAt
        lastUsedAt
        revokedAt
        scopes
      }
    }
  }
`)

export const RevokeApiTokenMutation = graphql(`
  mutation RevokeApiToken($id: ID!) {
    revokeApiToken(id: $id) {
      id
      revokedAt
    }
  }
`)

/** The school's teachers with the classes they teach, and the classes to choose from. */
export const TeachersQuery = graphql(`
  query Teachers($schoolId: ID!) {
    node(id: $schoolId) {
      __typename
      ... on School {
        id
        accounts(
          first: 500
          where: { role: TEACHER, status: ACTIVE }
          orderBy: [{ field: LAST_NAME }, { field: FIRST_NAME }]
        ) {
          totalCount
          edges {
            node {
              id
              firstName
              infix
              lastName
              email
              username
              teachingClasses(first: 100, orderBy: [{ field: NAME }]) {
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
        classes(first: 1000, orderBy: [{ field: NAME }]) {
          edges {
            node {
              id
              name
              year
              level
            }
          }
        }
      }
    }
  }
`)

export const CreateTeacherMutation = graphql(`
  mutation CreateTeacher($schoolId: ID!, $input: TeacherInput!) {
    createTeacher(schoolId: $schoolId, input: $input) {
      id
      firstName
      infix
      lastName
      username
    }
  }
`)

export const SetTeacherClassesMutation = graphql(`
  mutation SetTeacherClasses($teacherId: ID!, $classIds: [ID!]!) {
    setTeacherClasses(teacherId: $teacherId, classIds: $classIds) {
      id
      teachingClasses(first: 100, orderBy: [{ field: NAME }]) {
        edges {
          node {
            id
            name
          }
        }
      }
    }
  }
`)

/** A new one-time password for a teacher or pupil, shown once. */
export const ResetPasswordMutation = graphql(`
  mutation ResetPassword($accountId: ID!) {
    resetPassword(accountId: $accountId)
  }
`)
