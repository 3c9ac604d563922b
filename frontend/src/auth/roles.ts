import {
  IconArchive,
  IconFileImport,
  IconHistory,
  IconId,
  IconSettings,
  IconUsers,
  type Icon,
} from '@tabler/icons-react'
import type { AccountRole } from '../gql/graphql'
import type { MessageKey } from '../i18n'

/** One item of the main navigation. */
export interface NavItem {
  to: string
  key: MessageKey
  icon: Icon
}

/**
 * What each role may use. The server decides what anyone sees; this only keeps the app from
 * offering pages that would come back empty or refused.
 */
const navByRole: Record<AccountRole, NavItem[]> = {
  ADMIN: [
    { to: '/import', key: 'nav.import', icon: IconFileImport },
    { to: '/klassen', key: 'nav.classes', icon: IconUsers },
    { to: '/archief', key: 'nav.archive', icon: IconArchive },
    { to: '/geschiedenis', key: 'nav.history', icon: IconHistory },
    { to: '/beheer', key: 'nav.admin', icon: IconSettings },
  ],
  TEACHER: [{ to: '/mijn-klassen', key: 'nav.myClasses', icon: IconUsers }],
  PUPIL: [{ to: '/mijn-gegevens', key: 'nav.myData', icon: IconId }],
}

/** The main navigation of a role; nothing for an unknown role (an API token cannot sign in here). */
export function navFor(role: AccountRole | null | undefined): NavItem[] {
  return role ? navByRole[role] : []
}

/** Where a role starts after signing in. */
export function homeFor(role: AccountRole | null | undefined): string {
  return navFor(role)[0]?.to ?? '/wachtwoord'
}

/** Paths every signed-in account may open, whatever its role. */
const common = ['/wachtwoord']

/** Whether the role's pages include path (its own pages and what lies below them). */
export function mayOpen(role: AccountRole | null | undefined, path: string): boolean {
  const roots = [...navFor(role).map((n) => n.to), ...common]
  return roots.some((root) => path === root || path.startsWith(`${root}/`))
}

/** Whether path is a page of some role (as opposed to an address no role has). */
export function isRolePage(path: string): boolean {
  return (Object.keys(navByRole) as AccountRole[]).some((role) => mayOpen(role, path))
}
