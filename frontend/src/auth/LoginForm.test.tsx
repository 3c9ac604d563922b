import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { LoginResult } from '../api/session'
import { renderWithProviders } from '../test/render'
import { LoginForm, schoolStorageKey } from './LoginForm'

const username = () => screen.getByLabelText('Gebruikersnaam of e-mailadres')
const password = () => screen.getByLabelText('Wachtwoord')
const submit = () => screen.getByRole('button', { name: 'Inloggen' })

const school = () => screen.getByLabelText('School (BRIN-code)')

function setup(result: LoginResult | LoginResult[], opts: Parameters<typeof renderWithProviders>[1] & { school?: string } = {}) {
  const results = Array.isArray(result) ? [...result] : [result]
  const onSubmit = vi.fn(async (_u: string, _p: string, _s: string) => (results.length > 1 ? results.shift()! : results[0]))
  renderWithProviders(<LoginForm onSubmit={onSubmit} school={opts.school} />, opts)
  return { onSubmit, user: userEvent.setup() }
}

const signedIn: LoginResult = { ok: true, role: 'ADMIN', name: 'x', mustChangePassword: false }

afterEach(() => localStorage.clear())

describe('LoginForm', () => {
  it('says which field is empty and does not send anything', async () => {
    const { onSubmit, user } = setup({ ok: true, role: 'ADMIN', name: 'x', mustChangePassword: false })
    await user.click(submit())
    expect(screen.getByText('Vul uw gebruikersnaam of e-mailadres in.')).toBeVisible()
    expect(screen.getByText('Vul uw wachtwoord in.')).toBeVisible()
    expect(username()).toHaveFocus()
    expect(onSubmit).not.toHaveBeenCalled()
  })

  it('sends the trimmed username and the password as typed', async () => {
    const { onSubmit, user } = setup({ ok: true, role: 'ADMIN', name: 'x', mustChangePassword: false })
    await user.type(username(), '  beheer ')
    await user.type(password(), ' geheim met spaties ')
    await user.click(submit())
    expect(onSubmit).toHaveBeenCalledWith('beheer', ' geheim met spaties ', '')
    expect(screen.queryByRole('alert')).not.toBeInTheDocument()
  })

  it('announces a wrong password, empties the field and puts the focus back in it', async () => {
    const { user } = setup({ ok: false, code: 'BAD_LOGIN', message: 'Onjuiste gebruikersnaam of wachtwoord.' })
    await user.type(username(), 'beheer')
    await user.type(password(), 'fout{Enter}')
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('Inloggen is niet gelukt')
    expect(alert).toHaveTextContent('De gebruikersnaam of het wachtwoord klopt niet.')
    expect(password()).toHaveValue('')
    expect(password()).toHaveFocus()
    expect(password()).toHaveAttribute('aria-invalid', 'true')
    expect(username()).toHaveValue('beheer')
  })

  it('says where a start code goes, and that an expired one needs a new letter', async () => {
    const { onSubmit, user } = setup({ ok: false, code: 'START_CODE_EXPIRED' })
    expect(screen.getByText('Voor het eerst? Typ bij Wachtwoord de startcode van je inlogbrief.')).toBeVisible()
    await user.type(username(), 'daan.ozturk')
    await user.type(password(), 'km7p-4rta-wx3c{Enter}')
    expect(onSubmit).toHaveBeenCalledWith('daan.ozturk', 'km7p-4rta-wx3c', '')
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('Deze startcode is verlopen. Vraag je mentor of de beheerder van je school om een nieuwe inlogbrief.')
  })

  it('tells a locked-out person to wait, and keeps what they typed', async () => {
    const { user } = setup({ ok: false, code: 'LOCKED' })
    await user.type(username(), 'beheer')
    await user.type(password(), 'nog een poging')
    await user.click(submit())
    expect(await screen.findByRole('alert')).toHaveTextContent('Te veel mislukte pogingen. Wacht een kwartier')
    expect(password()).toHaveValue('nog een poging')
  })

  it('says when the server cannot be reached', async () => {
    const { user } = setup({ ok: false, code: 'NETWORK' })
    await user.type(username(), 'beheer')
    await user.type(password(), 'x')
    await user.click(submit())
    expect(await screen.findByRole('alert')).toHaveTextContent('De server is niet bereikbaar.')
  })

  it('shows the errors in English when English is chosen', async () => {
    const { user } = setup({ ok: false, code: 'BAD_LOGIN' }, { lang: 'en' })
    await user.type(screen.getByLabelText('Username or e-mail address'), 'beheer')
    await user.type(screen.getByLabelText('Password'), 'wrong')
    await user.click(screen.getByRole('button', { name: 'Sign in' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('The username or password is not right.')
  })

  it('shows no school field while the server does not ask for one', () => {
    setup(signedIn)
    expect(screen.queryByLabelText('School (BRIN-code)')).not.toBeInTheDocument()
  })

  it('asks for the school when the server holds several, keeps the password, and remembers the school', async () => {
    const { onSubmit, user } = setup([{ ok: false, code: 'SCHOOL_REQUIRED' }, signedIn])
    await user.type(username(), 'jan')
    await user.type(password(), 'geheim{Enter}')
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('Vul ook de BRIN-code van uw school in.')
    await waitFor(() => expect(school()).toHaveFocus())
    expect(password()).toHaveValue('geheim')
    await user.click(submit())
    expect(screen.getByText('Vul de BRIN-code van uw school in.')).toBeVisible()
    await user.type(school(), '01aa{Enter}')
    expect(onSubmit).toHaveBeenLastCalledWith('jan', 'geheim', '01AA')
    await waitFor(() => expect(localStorage.getItem(schoolStorageKey)).toBe('01AA'))
  })

  it('fills the school from the link, and else from the last sign-in on this device', async () => {
    const { onSubmit, user } = setup(signedIn, { school: '02bb' })
    expect(school()).toHaveValue('02BB')
    await user.type(username(), 'jan')
    await user.type(password(), 'geheim{Enter}')
    expect(onSubmit).toHaveBeenCalledWith('jan', 'geheim', '02BB')
  })

  it('remembers nothing after a failed sign-in', async () => {
    const { user } = setup({ ok: false, code: 'BAD_LOGIN' }, { school: '02BB' })
    await user.type(username(), 'jan')
    await user.type(password(), 'fout{Enter}')
    await screen.findByRole('alert')
    expect(localStorage.getItem(schoolStorageKey)).toBeNull()
  })

  it('uses the remembered school', () => {
    localStorage.setItem(schoolStorageKey, '03CC')
    setup(signedIn)
    expect(school()).toHaveValue('03CC')
  })

  it('says when the server is too busy, and asks for the school in English too', async () => {
    const { user } = setup([{ ok: false, code: 'BUSY' }, { ok: false, code: 'SCHOOL_REQUIRED' }], { lang: 'en' })
    await user.type(screen.getByLabelText('Username or e-mail address'), 'jan')
    await user.type(screen.getByLabelText('Password'), 'x{Enter}')
    expect(await screen.findByRole('alert')).toHaveTextContent('The server is very busy right now.')
    await user.click(screen.getByRole('button', { name: 'Sign in' }))
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent("Also enter your school's BRIN code."))
    expect(screen.getByLabelText('School (BRIN code)')).toBeVisible()
  })

  it('explains why the login page is shown after a session expired', async () => {
    renderWithProviders(<LoginForm onSubmit={vi.fn()} notice="expired" />)
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Uw sessie is verlopen.'))
  })

  it('says the session ended, e.g. because the account was archived, when the app finds it gone on load', async () => {
    renderWithProviders(<LoginForm onSubmit={vi.fn()} notice="ended" />)
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('omdat uw account is gearchiveerd'))
  })
})
