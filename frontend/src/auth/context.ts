import { createContext, useContext } from 'react'
import type { CombinedError } from 'urql'
import type { LoginResult } from '../api/session'
import type { ViewerQuery as ViewerQueryResult } from '../gql/graphql'

/** The signed-in account as the app uses it. */
export type Viewer = NonNullable<ViewerQueryResult['viewer']>

/**
 * Why nobody is signed in: the session ran out while the app was open (expired), the person
 * signed out, a session this browser had is gone when the app loads (ended: it expired, or the
 * account was archived or got a new password meanwhile), or none of these (first visit).
 */
export type SignedOutReason = 'expired' | 'ended' | 'signedOut' | null

/** What useAuth returns. */
export interface AuthState {
  /** loading: asking the server who is signed in; error: that failed (network). */
  status: 'loading' | 'error' | 'signedIn' | 'signedOut'
  viewer: Viewer | null
  error: CombinedError | undefined
  signedOutReason: SignedOutReason
  /** school is the BRIN code, '' when the installation has one school. */
  signIn: (username: string, password: string, school?: string) => Promise<LoginResult>
  signOut: () => Promise<void>
  /** Asks the server again who is signed in (after changing the password, or a failed first try). */
  refresh: () => Promise<void>
}

/** The session's context; AuthProvider fills it, tests give a fixed state (AuthStateProvider). */
export const AuthContext = createContext<AuthState | null>(null)

/** Provides a fixed state, for tests that render pages as a given role. */
export const AuthStateProvider = AuthContext.Provider

/** The session: who is signed in, and signing in and out. */
export function useAuth(): AuthState {
  const ctx = useContext(AuthContext)
  if (!ctx) throw new Error('useAuth outside AuthProvider')
  return ctx
}

/** The signed-in viewer; only for components that render behind the login. */
export function useViewer(): Viewer {
  const { viewer } = useAuth()
  if (!viewer) throw new Error('useViewer without a signed-in viewer')
  return viewer
}

/** "Jan de Vries", or the username when the account has no name. */
export function displayName(viewer: Viewer): string {
  const a = viewer.account
  if (!a) return ''
  return [a.firstName, a.infix, a.lastName].filter(Boolean).join(' ') || a.username
}
