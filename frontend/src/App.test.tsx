import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter, useLocation } from 'react-router'
import { describe, expect, it } from 'vitest'
import { App } from './App'
import { AuthStateProvider, type AuthState } from './auth/context'
import { homeFor, mayOpen, navFor } from './auth/roles'
import { SchoolProvider } from './school/SchoolProvider'
import { Shell } from './Shell'
import { authState, viewerAs } from './test/auth'
import { renderWithProviders } from './test/render'

function Where() {
  const { pathname } = useLocation()
  return <div data-testid="path">{pathname}</div>
}

/** Renders ui at path as the session auth sees it (the urql client never answers). */
function renderAt(path: string, auth: AuthState, ui = <App />) {
  return renderWithProviders(
    <MemoryRouter initialEntries={[path]}>
      <AuthStateProvider value={auth}>
        {ui}
        <Where />
      </AuthStateProvider>
    </MemoryRouter>,
  )
}

const navNames = () =>
  within(screen.getByRole('navigation', { name: 'Hoofdmenu' }))
    .getAllByRole('link')
    .map((a) => a.textContent)

describe('navigation per role', () => {
  it('offers an admin the import, the overviews and Beheer', () => {
    renderAt('/import', authState(viewerAs('ADMIN')), <SchoolProvider><Shell /></SchoolProvider>)
    expect(navNames()).toEqual(['Importeren', 'Klassen', 'Archief', 'Importgeschiedenis', 'Beheer', 'Mijn wachtwoord'])
  })

  it('offers a teacher only their classes', () => {
    renderAt('/mijn-klassen', authState(viewerAs('TEACHER')), <SchoolProvider><Shell /></SchoolProvider>)
    expect(navNames()).toEqual(['Mijn klassen', 'Mijn wachtwoord'])
  })

  it('offers a pupil only their own data', () => {
    renderAt('/mijn-gegevens', authState(viewerAs('PUPIL')), <SchoolProvider><Shell /></SchoolProvider>)
    expect(navNames()).toEqual(['Mijn gegevens', 'Mijn wachtwoord'])
  })

  it('shows who is signed in, at which school, and Afmelden', async () => {
    const auth = authState(viewerAs('TEACHER', { account: { id: 't', firstName: 'Els', infix: 'de', lastName: 'Bakker', username: 'els' } }))
    renderAt('/mijn-klassen', auth, <SchoolProvider><Shell /></SchoolProvider>)
    expect(screen.getByTestId('viewer-name')).toHaveTextContent('Els de Bakker')
    expect(screen.getByTestId('viewer-school')).toHaveTextContent('Demoschool Het Talent (99XX)')
    // Two buttons say it: with text from tablet width up, an icon on a phone (jsdom applies no media queries).
    const [signOut] = screen.getAllByRole('button', { name: 'Afmelden' })
    await userEvent.setup().click(signOut)
    expect(auth.signOut).toHaveBeenCalled()
  })

  it('knows which pages a role may open', () => {
    expect(homeFor('ADMIN')).toBe('/import')
    expect(homeFor('TEACHER')).toBe('/mijn-klassen')
    expect(homeFor('PUPIL')).toBe('/mijn-gegevens')
    expect(mayOpen('ADMIN', '/import/42')).toBe(true)
    expect(mayOpen('TEACHER', '/mijn-klassen/7')).toBe(true)
    expect(mayOpen('TEACHER', '/klassen/7')).toBe(false)
    expect(mayOpen('PUPIL', '/beheer')).toBe(false)
    expect(mayOpen('PUPIL', '/wachtwoord')).toBe(true)
    expect(navFor(null)).toEqual([])
  })
})

describe('the gate', () => {
  it('sends someone who is not signed in to the login page', () => {
    renderAt('/geschiedenis', authState(null))
    expect(screen.getByRole('heading', { name: 'Inloggen' })).toBeVisible()
    expect(screen.getByTestId('path')).toHaveTextContent('/inloggen')
    expect(screen.queryByRole('navigation', { name: 'Hoofdmenu' })).not.toBeInTheDocument()
  })

  it('says so when the session has expired', () => {
    renderAt('/klassen', authState(null, { signedOutReason: 'expired' }))
    expect(screen.getByRole('status')).toHaveTextContent('Uw sessie is verlopen.')
  })

  it('takes a teacher who asks for an admin page to their own classes', () => {
    renderAt('/import', authState(viewerAs('TEACHER')))
    expect(screen.getByTestId('path')).toHaveTextContent('/mijn-klassen')
  })

  it('asks for a new password first after a one-time password', () => {
    renderAt('/mijn-gegevens', authState(viewerAs('PUPIL', { mustChangePassword: true })))
    expect(screen.getByRole('heading', { name: 'Kies uw eigen wachtwoord' })).toBeVisible()
    expect(screen.queryByRole('navigation', { name: 'Hoofdmenu' })).not.toBeInTheDocument()
    expect(screen.getByTestId('path')).toHaveTextContent('/mijn-gegevens')
  })
})
