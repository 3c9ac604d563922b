import { graphql } from '../../gql'

/** Makes login letters; the answer holds where to download them, never a code. */
export const GenerateStartCodesMutation = graphql(`
  mutation GenerateStartCodes($input: GenerateStartCodesInput!) {
    generateStartCodes(input: $input) {
      pdfUrl
      csvUrl
      downloadBefore
      letters
      newUsernames
      classes
      validUntil
    }
  }
`)

/** The school's settings for login letters. */
export const LettersSettingsQuery = graphql(`
  query LettersSettings($schoolId: ID!) {
    node(id: $schoolId) {
      __typename
      ... on School {
        id
        usernamePattern
        startCodeValidDays
      }
    }
  }
`)

export const UpdateLettersSettingsMutation = graphql(`
  mutation UpdateLettersSettings($schoolId: ID!, $input: StartCodeSettingsInput!) {
    updateStartCodeSettings(schoolId: $schoolId, input: $input) {
      id
      usernamePattern
      startCodeValidDays
    }
  }
`)
