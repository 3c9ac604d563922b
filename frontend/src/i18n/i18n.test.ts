import { describe, expect, it } from 'vitest'
import { en } from './en'
import { interpolate } from './format'
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
