import { vi } from 'vitest'
import type { AuthState, Viewer } from '../auth/context'
import type { AccountRole } from '../gql/graphql'

/** A signed-in viewer of the demo school with the given role. */
export function viewerAs(role: AccountRole, extra: Partial<Viewer> = {}): Viewer {
  return {
    role,
    scopes: [],
    mustChangePassword: false,
    account: { id: 'a1', firstName: 'Peter', infix: '', lastName: 'Beheer', username: 'beheer' },
    school: { id: 's1', name: 'Demoschool Het Talent', brin: '99XX' },
    ...extra,
  }
}

/** A fixed session state for AuthStateProvider: signed in as viewer, or signed out. */
export function authState(viewer: Viewer | null, extra: Partial<AuthState> = {}): AuthState {
  return {
    status: viewer ? 'signedIn' : 'signedOut',
    viewer,
    error: undefined,
    signedOutReason: null,
    signIn: vi.fn(),
    signOut: vi.fn(async () => {}),
    refresh: vi.fn(async () => {}),
    ...extra,
  }
}
