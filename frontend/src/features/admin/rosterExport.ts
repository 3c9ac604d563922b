/** Where the server serves a school's OneRoster 1.2 export (internal/oneroster.Path). */
export function rosterExportUrl(schoolId: string, archived: boolean): string {
  const path = `/api/schools/${encodeURIComponent(schoolId)}/oneroster.zip`
  return archived ? `${path}?archived=true` : path
}
