/** The day a code expires on, as the letters say it: the Dutch day, in the reader's language. */
export function dutchDay(at: string, lang: string): string {
  return new Intl.DateTimeFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'Europe/Amsterdam',
  }).format(new Date(at))
}
