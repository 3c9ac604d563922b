import { describe, expect, it } from 'vitest'
import { en } from './en'
import { interpolate, pluralCategory, pluralText } from './format'
import { nl } from './nl'

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('dictionaries', () => {
  it('have the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(nl).sort())
  })
  it('have no empty texts', () => {
    for (const [key, text] of [...Object.entries(nl), ...Object.entries(en)]) {
      expect(text.trim(), key).not.toBe('')
    }
  })
  it('use the same placeholders in both languages', () => {
    for (const key of Object.keys(nl) as (keyof typeof nl)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(nl[key]))
    }
  })
})

describe('interpolate', () => {
  it('fills in placeholders and leaves unknown ones', () => {
    expect(interpolate('{n} van {total}', { n: 3, total: 10 })).toBe('3 van 10')
    expect(interpolate('kolom {column}', {})).toBe('kolom {column}')
  })
})

describe('plural messages', () => {
  it('have the other form beside each singular (or the older plain key)', () => {
    for (const dict of [nl, en] as Record<string, string>[]) {
      for (const key of Object.keys(dict).filter((k) => k.endsWith('.one'))) {
        const base = key.replace(/\.one$/, '')
        expect(dict[`${base}.other`] ?? dict[base], key).toBeDefined()
      }
    }
  })
  it('pick the form by Intl.PluralRules: 1 leerling, 0 and 2 leerlingen', () => {
    const num = (n: number) => new Intl.NumberFormat('nl-NL').format(n)
    expect(pluralText(nl, 'nl', 'roster.pupils', 1, num)).toBe('1 leerling')
    expect(pluralText(nl, 'nl', 'roster.pupils', 0, num)).toBe('0 leerlingen')
    expect(pluralText(nl, 'nl', 'roster.pupils', 1234, num)).toBe('1.234 leerlingen')
    expect(pluralText(en, 'en', 'preview.total.teachers', 1, String)).toBe('1 teacher')
    expect(pluralText(en, 'en', 'preview.total.teachers', 2, String)).toBe('2 teachers')
    expect(pluralCategory('nl', 1)).toBe('one')
    expect(pluralCategory('en', 1.5)).toBe('other')
  })
})
