import { graphql } from '../../gql'

/** An API token's webhooks (at most 5), each with its newest delivery attempt. */
export const TokenWebhooksQuery = graphql(`
  query TokenWebhooks($tokenId: ID!) {
    node(id: $tokenId) {
      __typename
      ... on ApiToken {
        id
        webhooks {
          ...WebhookRow
        }
      }
    }
  }
`)

export const WebhookRowFragment = graphql(`
  fragment WebhookRow on WebhookEndpoint {
    id
    url
    state
    cursor
    failures
    nextAttemptAt
    lastSuccessAt
    lastError
    createdAt
    deliveries(first: 1) {
      totalCount
      items {
        id
        at
        result
        statusCode
      }
    }
  }
`)

/**
 * One page (20) of a webhook's delivery log, newest first; before is
 * the last id of the previous page.
 * Through the token (at most 5 webhooks): WebhookEndpoint is no Node.
 */
export const WebhookDeliveriesQuery = graphql(`
  query WebhookDeliveries($tokenId: ID!, $before: ID) {
    node(id: $tokenId) {
      __typename
      ... on ApiToken {
        id
        webhooks {
          id
          deliveries(first: 20, before: $before) {
            totalCount
            hasMore
            items {
              id
              at
              fromPosition
              toPosition
              changes
              attempt
              result
              statusCode
              error
              durationMs
              test
            }
          }
        }
      }
    }
  }
`)

export const CreateWebhookMutation = graphql(`
  mutation CreateWebhook($tokenId: ID!, $url: String!) {
    createWebhook(tokenId: $tokenId, url: $url) {
      secret
      webhook {
        ...WebhookRow
      }
    }
  }
`)

export const UpdateWebhookMutation = graphql(`
  mutation UpdateWebhook($id: ID!, $input: WebhookInput!) {
    updateWebhook(id: $id, input: $input) {
      ...WebhookRow
    }
  }
`)

export const DeleteWebhookMutation = graphql(`
  mutation DeleteWebhook($id: ID!) {
    deleteWebhook(id: $id)
  }
`)

export const SendTestWebhookMutation = graphql(`
  mutation SendTestWebhook($id: ID!) {
    sendTestWebhook(id: $id) {
      id
      result
      statusCode
      error
      durationMs
    }
  }
`)
