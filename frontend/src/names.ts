/** "Jan de Vries" from an account's name parts (roepnaam, tussenvoegsel, achternaam). */
export function fullName(p: { firstName: string; infix?: string | null; lastName: string }): string {
  return [p.firstName, p.infix, p.lastName].filter(Boolean).join(' ')
}

/** A username suggested from an e-mail address: its part before the @, lower case. */
export function usernameFromEmail(email: string): string {
  return email.split('@')[0].trim().toLowerCase().replace(/[^a-z0-9._-]/g, '')
}
