import { graphql } from '../../gql'

/** The school's single sign-on settings (its admins only); null when none are set. */
export const SsoSettingsQuery = graphql(`
  query SsoSettings($schoolId: ID!) {
    ssoSettings(schoolId: $schoolId) {
      issuer
      clientId
      hasSecret
      match
      claim
      enabled
      label
      updatedAt
    }
  }
`)

export const SetSsoSettingsMutation = graphql(`
  mutation SetSsoSettings($schoolId: ID!, $input: SsoSettingsInput!) {
    setSsoSettings(schoolId: $schoolId, input: $input) {
      issuer
      clientId
      hasSecret
      match
      claim
      enabled
      label
      updatedAt
    }
  }
`)
