import { notifications } from '@mantine/notifications'
import type { Client } from 'urql'
import { requestHeaders } from '../../api/client'
import { apiErrors } from '../../api/errors'
import type { I18n } from '../../i18n'
import { AccountExportQuery } from './documents'

/**
 * A name as people can type it on a Dutch keyboard: without accents (Çelik → celik), with the
 * dotless ı as i (Yılmaz → yilmaz), straight apostrophes (’t → 't), single spaces, lower case.
 */
export function typeableName(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/ı/g, 'i')
    .replace(/[’‘`´]/g, "'")
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase()
}

/** Whether the typed text is the pupil's name; accents, capitals and spaces do not matter. */
export function namesMatch(typed: string, name: string): boolean {
  const t = typeableName(typed)
  return t !== '' && t === typeableName(name)
}

/** The file name from a Content-Disposition header, if it names one. */
export function fileNameFrom(disposition: string | null): string | null {
  const m = disposition?.match(/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i)
  return m ? decodeURIComponent(m[1]) : null
}

/**
 * Asks the server where the pupil's data is, fetches it (so a refusal or a missing export shows
 * as a message instead of a downloaded error page) and hands it to the browser as a file.
 */
export async function downloadPupilData(client: Client, id: string, { t, pick }: Pick<I18n, 't' | 'pick'>): Promise<void> {
  const res = await client.query(AccountExportQuery, { id }, { requestPolicy: 'network-only' }).toPromise()
  const url = res.data?.node?.__typename === 'Account' ? res.data.node.exportUrl : null
  const fail = (message: string) => notifications.show({ color: 'red', title: t('pupil.export.failed'), message })
  if (!url) {
    const why = apiErrors(res.error)
      .map((e) => (e.code === 'NETWORK' ? t('error.network') : pick(e.message, e.messageEn)))
      .join(' ')
    fail(why || t('pupil.export.none'))
    return
  }
  let file: Response
  try {
    file = await fetch(url, { credentials: 'same-origin', headers: { ...requestHeaders, Accept: 'application/json' } })
  } catch {
    fail(t('error.network'))
    return
  }
  if (!file.ok) {
    fail(t('pupil.export.status', { status: file.status }))
    return
  }
  const blob = await file.blob()
  const href = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = href
  a.download = fileNameFrom(file.headers.get('Content-Disposition')) ?? `numo-gegevens-${id}.json`
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(href), 10_000)
}
