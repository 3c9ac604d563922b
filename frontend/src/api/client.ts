import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws'
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from 'urql'

/**
 * Headers on every request of the app. The session itself travels in the HttpOnly cookie that
 * POST /api/login sets (same-origin fetches send it); the server refuses a cookie-borne write
 * that could be a cross-site form post, so every request carries a custom header too — which a
 * plain HTML form cannot send. Multipart uploads need it; JSON requests are safe either way.
 */
export const requestHeaders: Readonly<Record<string, string>> = { 'X-Requested-With': 'numo' }

/** The GraphQL endpoint on the page's own origin (the Go server, or Vite's proxy to it). */
export const httpUrl = '/query'

function wsUrl(loc: Location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}${httpUrl}`
}

/** What makeClient returns: the urql client, its events, and a way to close its websocket. */
export interface Session {
  client: Client
  /** Fires "unauthenticated" when the server answers that the session is gone. */
  events: EventTarget
  /** Closes the websocket: it was authenticated by the cookie of its upgrade request. */
  dispose: () => void
}

/** The event a Session fires when the server no longer knows the caller. */
export const unauthenticatedEvent = 'unauthenticated'

/** True when the error says the caller is not (or no longer) signed in. */
function unauthenticated(error: { graphQLErrors: readonly { extensions?: Record<string, unknown> }[]; response?: unknown }): boolean {
  if (error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) return true
  const status = (error.response as { status?: number } | undefined)?.status
  return status === 401
}

/**
 * Builds the urql client of one sign-in: document cache, websocket subscriptions, fetch (with
 * file uploads). A new client is made at every sign-in and sign-out, so nothing one account
 * saw stays in the cache for the next, and the websocket opens again with the new cookie.
 * Its events fire "unauthenticated" when the server answers that the session is gone (expired,
 * ended elsewhere, or the account was archived).
 */
export function makeClient(): Session {
  const events = new EventTarget()
  let ws: WsClient | null = null
  // The websocket client (graphql-transport-ws), created on first use and reconnecting on loss.
  const wsClient = (): WsClient => {
    ws ??= createWsClient({
      url: wsUrl(window.location),
      lazy: true,
      // An import runs server-side: after a network blip the subscription resumes and the server
      // sends the current state first, so retrying is always safe.
      retryAttempts: 20,
      shouldRetry: () => true,
    })
    return ws
  }
  const client = new Client({
    url: httpUrl,
    // urql 5's fetchExchange sends File variables as a multipart request (GraphQL multipart
    // request spec), which gqlgen's MultipartForm transport reads for the Upload scalar.
    exchanges: [
      mapExchange({
        onError(error) {
          if (unauthenticated(error)) events.dispatchEvent(new Event(unauthenticatedEvent))
        },
      }),
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
    fetchOptions: () => ({ credentials: 'same-origin', headers: { ...requestHeaders } }),
    // Always POST: the server need not offer GET, and long variables never hit a URL limit.
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
  })
  return {
    client,
    events,
    dispose: () => {
      void ws?.dispose()
      ws = null
    },
  }
}
