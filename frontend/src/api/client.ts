import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws'
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from 'urql'

/**
 * The one place where credentials go. There is no login yet; when there is, this returns the
 * bearer token for HTTP requests, and connectionParams() below sends the same in the websocket's
 * connection_init payload.
 */
export function authHeaders(): Record<string, string> {
  return {}
}

/** The GraphQL endpoint on the page's own origin (the Go server, or Vite's proxy to it). */
export const httpUrl = '/query'

function wsUrl(loc: Location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}${httpUrl}`
}

let ws: WsClient | null = null

/** The websocket client (graphql-transport-ws), created on first use and reconnecting on loss. */
function wsClient(): WsClient {
  ws ??= createWsClient({
    url: wsUrl(window.location),
    lazy: true,
    connectionParams: () => authHeaders(),
    // An import runs server-side: after a network blip the subscription resumes and the server
    // sends the current state first, so retrying is always safe.
    retryAttempts: 20,
    shouldRetry: () => true,
  })
  return ws
}

/** Builds the urql client: document cache, websocket subscriptions, fetch (with file uploads). */
export function makeClient(): Client {
  return new Client({
    url: httpUrl,
    // urql 5's fetchExchange sends File variables as a multipart request (GraphQL multipart
    // request spec), which gqlgen's MultipartForm transport reads for the Upload scalar.
    exchanges: [
      cacheExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' }
          return {
            subscribe(sink) {
              const unsubscribe = wsClient().subscribe(input, sink)
              return { unsubscribe }
            },
          }
        },
      }),
      fetchExchange,
    ],
    fetchOptions: () => ({ headers: authHeaders() }),
    // Always POST: the server need not offer GET, and long variables never hit a URL limit.
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
  })
}
