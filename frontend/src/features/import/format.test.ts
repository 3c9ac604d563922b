import { describe, expect, it } from 'vitest'
import { dictionaries } from '../../i18n'
import { interpolate } from '../../i18n/format'
import type { MessageKey } from '../../i18n/nl'
import { changeValue, delimiterLabel, encodingLabel, formatCounts, formatPercent, progressPercent, stepForStatus, Step } from './format'

const i18n = (lang: 'nl' | 'en') => ({
  t: (key: MessageKey, vars?: Record<string, string | number>) => interpolate(dictionaries[lang][key], vars),
  num: (n: number) => new Intl.NumberFormat(lang === 'nl' ? 'nl-NL' : 'en-GB').format(n),
})

describe('progressPercent', () => {
  it('is 0 before the total is known', () => {
    expect(progressPercent(0, 0)).toBe(0)
    expect(progressPercent(5, 0)).toBe(0)
  })
  it('rounds down so 100 only means done', () => {
    expect(progressPercent(1, 3)).toBe(33)
    expect(progressPercent(2, 3)).toBe(66)
    expect(progressPercent(999, 1000)).toBe(99)
    expect(progressPercent(1000, 1000)).toBe(100)
  })
  it('clamps to 0..100', () => {
    expect(progressPercent(-1, 10)).toBe(0)
    expect(progressPercent(12, 10)).toBe(100)
    expect(progressPercent(Number.NaN, 10)).toBe(0)
  })
})

describe('formatPercent', () => {
  it('writes Dutch with a (non-breaking) space and English without', () => {
    expect(formatPercent(42, 'nl')).toBe('42\u00a0%')
    expect(formatPercent(42, 'en')).toBe('42%')
    expect(formatPercent(99.6, 'nl')).toBe('100\u00a0%')
  })
  it('formats the progress of a job', () => {
    expect(formatPercent(progressPercent(21, 40), 'nl')).toBe('52\u00a0%')
  })
})

describe('formatCounts', () => {
  it('reads like the result message', () => {
    const counts = { added: 42, updated: 3, archived: 5, unchanged: 0, refused: 2 }
    expect(formatCounts(counts, i18n('nl'))).toBe('42 toegevoegd, 3 bijgewerkt, 5 gearchiveerd, 2 geweigerd')
    expect(formatCounts(counts, i18n('en'))).toBe('42 added, 3 updated, 5 archived, 2 refused')
  })
  it('mentions skipped rows when the admin left out an action', () => {
    const counts = { added: 0, updated: 2, archived: 0, unchanged: 0, skipped: 5, refused: 0 }
    expect(formatCounts(counts, i18n('nl'))).toBe('0 toegevoegd, 2 bijgewerkt, 0 gearchiveerd, 0 geweigerd, 5 overgeslagen')
  })
  it('mentions unchanged accounts only when there are any', () => {
    const counts = { added: 0, updated: 1, archived: 0, unchanged: 1234, refused: 0 }
    expect(formatCounts(counts, i18n('nl'))).toBe('0 toegevoegd, 1 bijgewerkt, 0 gearchiveerd, 0 geweigerd, 1.234 ongewijzigd')
  })
  it('counts the values kept from an Excel-damaged file and the names imported with lost letters', () => {
    const counts = { added: 1, updated: 1, archived: 0, unchanged: 4, refused: 0, kept: 5, damaged: 2 }
    expect(formatCounts(counts, i18n('nl'))).toBe(
      '1 toegevoegd, 1 bijgewerkt, 0 gearchiveerd, 0 geweigerd, 4 ongewijzigd, 5 waarden behouden (bestand beschadigd), 2 namen met verloren letters',
    )
    expect(formatCounts(counts, i18n('en'))).toBe(
      '1 added, 1 updated, 0 archived, 0 refused, 4 unchanged, 5 values kept (file damaged), 2 names with lost letters',
    )
  })
})

describe('file facts', () => {
  it('names the separator in words', () => {
    expect(delimiterLabel(';', i18n('nl'))).toBe('puntkomma (;)')
    expect(delimiterLabel('\t', i18n('nl'))).toBe('tab')
    expect(delimiterLabel(',', i18n('en'))).toBe('comma (,)')
  })
  it('names the encoding as Windows users know it', () => {
    expect(encodingLabel('windows-1252')).toBe('Windows-1252 (ANSI)')
    expect(encodingLabel('UTF-8')).toBe('UTF-8')
  })
})

describe('stepForStatus', () => {
  it('reopens a job where its work stopped', () => {
    expect(stepForStatus('UPLOADED')).toBe(Step.Mapping)
    expect(stepForStatus('MAPPED')).toBe(Step.Actions)
    expect(stepForStatus('PREVIEWED')).toBe(Step.Preview)
    expect(stepForStatus('COMMITTING')).toBe(Step.Progress)
    expect(stepForStatus('COMMITTED')).toBe(Step.Result)
    expect(stepForStatus('FAILED')).toBe(Step.Result)
  })
})

describe('changeValue', () => {
  it('translates a status change and leaves names and classes alone', () => {
    expect(changeValue('gearchiveerd', i18n('en').t)).toBe('archived')
    expect(changeValue('actief', i18n('en').t)).toBe('active')
    expect(changeValue('actief', i18n('nl').t)).toBe('actief')
    expect(changeValue('Haile-Öztürk', i18n('en').t)).toBe('Haile-Öztürk')
  })
})
