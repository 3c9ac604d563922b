import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { Provider as UrqlProvider } from 'urql'
import { makeClient, unauthenticatedEvent, type Session } from '../api/client'
import { login as postLogin, logout as postLogout } from '../api/session'
import { AuthContext, type AuthState } from './context'
import { ViewerQuery } from './documents'

type SessionState = Pick<AuthState, 'status' | 'viewer' | 'error' | 'signedOutReason'>

/**
 * Set while this browser has a session (the cookie itself is HttpOnly): when the app loads and
 * the server knows no viewer although this is set, the session ended meanwhile (archived account,
 * new password, expiry) and the login page says so instead of appearing without a word.
 */
export const hadSessionKey = 'numo.hadSession'

function hadSession(value?: boolean): boolean {
  try {
    if (value === true) localStorage.setItem(hadSessionKey, '1')
    else if (value === false) localStorage.removeItem(hadSessionKey)
    return localStorage.getItem(hadSessionKey) === '1'
  } catch {
    return false // no storage (private mode): no message, as before
  }
}

/**
 * Owns the session: the urql client (a new one at every sign-in and sign-out, so no account
 * sees what the previous one loaded), the viewer, and what happens when the server says the
 * session is gone — the app returns to the login page with a message.
 */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({
    status: 'loading',
    viewer: null,
    error: undefined,
    signedOutReason: null,
  })
  const [session, setSession] = useState<Session>(makeClient)
  // The current session for async work that outlives a render (an answer to an old session is dropped).
  const current = useRef(session)

  const replaceSession = useCallback((): Session => {
    current.current.dispose()
    const next = makeClient()
    current.current = next
    setSession(next)
    return next
  }, [])

  const loadViewer = useCallback(async (s: Session) => {
    const res = await s.client.query(ViewerQuery, {}, { requestPolicy: 'network-only' }).toPromise()
    if (s !== current.current) return
    const viewer = res.data?.viewer ?? null
    if (res.error && !viewer) {
      const gone = res.error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')
      setState((prev) =>
        gone
          ? { status: 'signedOut', viewer: null, error: undefined, signedOutReason: prev.signedOutReason }
          : { ...prev, status: 'error', error: res.error },
      )
      return
    }
    const ended = !viewer && hadSession()
    hadSession(!!viewer)
    setState((prev) => ({
      status: viewer ? 'signedIn' : 'signedOut',
      viewer,
      error: undefined,
      signedOutReason: viewer ? null : ended && !prev.signedOutReason ? 'ended' : prev.signedOutReason,
    }))
  }, [])

  useEffect(() => {
    void loadViewer(current.current)
  }, [loadViewer])

  useEffect(() => () => current.current.dispose(), [])

  // The server no longer knows this session (it expired, or the account was archived): back to
  // the login page, with a fresh client so nothing of it stays in the cache.
  const signedIn = state.status === 'signedIn'
  useEffect(() => {
    if (!signedIn) return
    const expired = () => {
      hadSession(false)
      replaceSession()
      setState({ status: 'signedOut', viewer: null, error: undefined, signedOutReason: 'expired' })
    }
    session.events.addEventListener(unauthenticatedEvent, expired)
    return () => session.events.removeEventListener(unauthenticatedEvent, expired)
  }, [session, signedIn, replaceSession])

  const signIn = useCallback(
    async (username: string, password: string, school = '') => {
      const result = await postLogin(username, password, school)
      if (result.ok) await loadViewer(replaceSession())
      return result
    },
    [loadViewer, replaceSession],
  )

  const signOut = useCallback(async () => {
    await postLogout()
    hadSession(false)
    replaceSession()
    setState({ status: 'signedOut', viewer: null, error: undefined, signedOutReason: 'signedOut' })
  }, [replaceSession])

  const refresh = useCallback(async () => {
    setState((prev) => (prev.status === 'error' ? { ...prev, status: 'loading' } : prev))
    await loadViewer(current.current)
  }, [loadViewer])

  const value = useMemo<AuthState>(() => ({ ...state, signIn, signOut, refresh }), [state, signIn, signOut, refresh])
  return (
    <AuthContext.Provider value={value}>
      <UrqlProvider value={session.client}>{children}</UrqlProvider>
    </AuthContext.Provider>
  )
}
