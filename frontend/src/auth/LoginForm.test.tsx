import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import type { LoginResult } from '../api/session'
import { renderWithProviders } from '../test/render'
import { LoginForm } from './LoginForm'

const username = () => screen.getByLabelText('Gebruikersnaam of e-mailadres')
const password = () => screen.getByLabelText('Wachtwoord')
const submit = () => screen.getByRole('button', { name: 'Inloggen' })

function setup(result: LoginResult, opts: Parameters<typeof renderWithProviders>[1] = {}) {
  const onSubmit = vi.fn(async () => result)
  renderWithProviders(<LoginForm onSubmit={onSubmit} />, opts)
  return { onSubmit, user: userEvent.setup() }
}

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
    expect(onSubmit).toHaveBeenCalledWith('beheer', ' geheim met spaties ')
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

  it('explains why the login page is shown after a session expired', async () => {
    renderWithProviders(<LoginForm onSubmit={vi.fn()} notice="expired" />)
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Uw sessie is verlopen.'))
  })
})
