/** The year guard of a preview (GraphQL YearGuard). */
export interface YearGuard {
  confirmationRequired: boolean
  yearDown: number
  activePupils: number
  thresholdPercent: number
}

/** Whether the year guard lets the import through with this typed number. */
export function yearGuardConfirmed(g: YearGuard, typed: number | ''): boolean {
  return !g.confirmationRequired || typed === g.yearDown
}
