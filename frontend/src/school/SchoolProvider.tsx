import { createContext, useContext, useMemo, useState, type ReactNode } from 'react'
import { useQuery, type CombinedError } from 'urql'
import { SchoolsQuery } from './documents'

/** A school the administrator works on. */
export interface School {
  id: string
  name: string
  brin: string
  archiveThreshold: number
}

interface SchoolState {
  school: School | null
  schools: School[]
  setSchoolId: (id: string) => void
  fetching: boolean
  error: CombinedError | undefined
  retry: () => void
}

const SchoolContext = createContext<SchoolState | null>(null)
const storageKey = 'numo.school'

/** Loads the schools and keeps the chosen one (remembered in localStorage). */
export function SchoolProvider({ children }: { children: ReactNode }) {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: SchoolsQuery })
  const [chosen, setChosen] = useState<string | null>(() => {
    try {
      return localStorage.getItem(storageKey)
    } catch {
      return null
    }
  })
  const value = useMemo<SchoolState>(() => {
    const schools = (data?.schools.edges ?? []).flatMap((e) => (e?.node ? [e.node] : []))
    const school = schools.find((s) => s.id === chosen) ?? schools[0] ?? null
    return {
      school,
      schools,
      setSchoolId: (id) => {
        setChosen(id)
        try {
          localStorage.setItem(storageKey, id)
        } catch {
          // Not remembered; fine for this visit.
        }
      },
      fetching,
      error,
      retry: () => reexecute({ requestPolicy: 'network-only' }),
    }
  }, [data, chosen, fetching, error, reexecute])
  return <SchoolContext.Provider value={value}>{children}</SchoolContext.Provider>
}

/** The current school and the list to choose from. */
export function useSchool(): SchoolState {
  const ctx = useContext(SchoolContext)
  if (!ctx) throw new Error('useSchool outside SchoolProvider')
  return ctx
}
