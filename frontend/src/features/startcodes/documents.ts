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
