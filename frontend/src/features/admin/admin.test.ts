import { describe, expect, it } from 'vitest'
import { interpolate } from '../../i18n/format'
import { nl } from '../../i18n/nl'
import { usernameFromEmail } from '../../names'
import { fileNameFrom, namesMatch } from '../roster/pupilData'
import { daysInWords } from './settings'

const i18n = { t: (k: keyof typeof nl, v?: Record<string, string | number>) => interpolate(nl[k], v), lang: 'nl' as const }

describe('admin helpers', () => {
  it('put days into words', () => {
    expect(daysInWords(730, i18n)).toBe('≈ 2 jaar')
    expect(daysInWords(548, i18n)).toBe('≈ 1,5 jaar')
    expect(daysInWords(90, i18n)).toBe('≈ 3 maanden')
    expect(daysInWords(30, i18n)).toBeNull()
  })
  it('suggest a username from an e-mail address', () => {
    expect(usernameFromEmail('J.de.Vries@school.nl')).toBe('j.de.vries')
    expect(usernameFromEmail('')).toBe('')
  })
  it('accept the typed name of a pupil whatever the capitals and spaces', () => {
    expect(namesMatch('  anouk  VAN der berg ', 'Anouk van der Berg')).toBe(true)
    expect(namesMatch('Anouk Berg', 'Anouk van der Berg')).toBe(false)
    expect(namesMatch('', '')).toBe(false)
    // What a Dutch keyboard types for names from elsewhere.
    expect(namesMatch('MEHMET YILMAZ', 'Mehmet Yılmaz')).toBe(true)
    expect(namesMatch('saar celik', 'Saar Çelik')).toBe(true)
    expect(namesMatch("Liam 't Hart", 'Liam ’t Hart')).toBe(true)
    expect(namesMatch('Zoe de Graaf', 'Zoë de Graaf')).toBe(true)
  })
  it('read the file name of a download', () => {
    expect(fileNameFrom('attachment; filename="numo-24101.json"')).toBe('numo-24101.json')
    expect(fileNameFrom(null)).toBeNull()
  })
})
