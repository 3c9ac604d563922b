import { screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { dictionaries } from '../../i18n'
import { interpolate, pluralText } from '../../i18n/format'
import type { MessageKey } from '../../i18n/nl'
import { renderWithProviders } from '../../test/render'
import { GroupDiff } from './GroupDiff'
import { formatGroupCounts, groupChangeText, groupDiff, isGroupField, kindKey, splitGroups } from './groups'
import { KindBanner } from './MappingStep'

const i18n = (lang: 'nl' | 'en') => {
  const num = (n: number) => new Intl.NumberFormat(lang === 'nl' ? 'nl-NL' : 'en-GB').format(n)
  return {
    t: (key: MessageKey, vars?: Record<string, string | number>) => interpolate(dictionaries[lang][key], vars),
    num,
    plural: (base: string, n: number) => pluralText(dictionaries[lang], lang, base, n, num),
  }
}

describe('splitGroups', () => {
  it('reads the plan\'s ", " lists and a file\'s semicolons, dropping empty parts', () => {
    expect(splitGroups('h4a.en2, h4a.ne1')).toEqual(['h4a.en2', 'h4a.ne1'])
    expect(splitGroups('h4a.ne1; h4a.en2;;')).toEqual(['h4a.ne1', 'h4a.en2'])
    expect(splitGroups('')).toEqual([])
    expect(splitGroups('  ')).toEqual([])
  })
})

describe('groupDiff', () => {
  it('shows per group what joins, what leaves and what stays, by name', () => {
    const d = groupDiff('h4a.en2, h4a.ne1, h4a.wi1', 'h4a.en3, h4a.ne1, h4a.wi1')
    expect(d).toEqual([
      { name: 'h4a.en2', change: 'left' },
      { name: 'h4a.en3', change: 'joined' },
      { name: 'h4a.ne1', change: 'kept' },
      { name: 'h4a.wi1', change: 'kept' },
    ])
    expect(d.map(groupChangeText)).toEqual(['- h4a.en2', '+ h4a.en3', 'h4a.ne1', 'h4a.wi1'])
  })
  it('puts the changes first, whatever their names', () => {
    expect(groupDiff('a.kept, z.left', 'a.kept, m.joined').map(groupChangeText)).toEqual(['- z.left', '+ m.joined', 'a.kept'])
  })
  it('handles no groups before (all joined) and none after (all left)', () => {
    expect(groupDiff('', '4H-wiB1, 4H-ne1').map(groupChangeText)).toEqual(['+ 4H-ne1', '+ 4H-wiB1'])
    expect(groupDiff('h4a.ne1', '').map(groupChangeText)).toEqual(['- h4a.ne1'])
    expect(groupDiff('', '')).toEqual([])
  })
  it('sorts numbers in names as people count (2 before 10)', () => {
    expect(groupDiff('', 'g10, g2').map((c) => c.name)).toEqual(['g2', 'g10'])
  })
  it('knows which changes are group changes', () => {
    expect(['groups', 'teaches', 'mentorOf'].every(isGroupField)).toBe(true)
    expect(isGroupField('class')).toBe(false)
  })
})

describe('kind wording', () => {
  it('picks the teachers\' text for a teacher file and the plain text otherwise', () => {
    expect(kindKey('preview.guard.text', 'TEACHERS')).toBe('preview.guard.text.TEACHERS')
    expect(kindKey('preview.guard.text', 'PUPILS')).toBe('preview.guard.text')
    expect(kindKey('preview.guard.text', undefined)).toBe('preview.guard.text')
    expect(kindKey('preview.col.groups', 'PUPILS')).toBe('preview.col.groups.PUPILS')
    expect(kindKey('file.rowCount', 'TEACHERS')).toBe('file.rowCount.TEACHERS')
  })
  it('speaks of docenten, never leerlingen, in every text of a teacher file', () => {
    for (const key of Object.keys(dictionaries.nl).filter((k) => k.endsWith('.TEACHERS')) as MessageKey[]) {
      expect(dictionaries.nl[key], key).not.toMatch(/leerling/i)
      expect(dictionaries.en[key], key).not.toMatch(/pupil/i)
    }
    const { t } = i18n('nl')
    expect(t(kindKey('preview.guard.text', 'TEACHERS'), { n: 12, active: 80, percent: 10 })).toBe(
      'Deze import archiveert 12 van de 80 actieve docenten; dat is meer dan 10 %. Controleer of het bestand alle docenten van de school bevat.',
    )
  })
})

describe('formatGroupCounts', () => {
  it('counts memberships added and removed, in the singular for one, in both languages', () => {
    expect(formatGroupCounts({ groupsJoined: 24, groupsLeft: 1 }, 'PUPILS', i18n('nl'))).toBe(
      '24 plaatsen in lesgroepen erbij, 1 plaats in een lesgroep eraf',
    )
    expect(formatGroupCounts({ groupsJoined: 1, groupsLeft: 0 }, 'PUPILS', i18n('en'))).toBe('1 teaching-group place added')
    expect(formatGroupCounts({ groupsJoined: 0, groupsLeft: 2 }, 'PUPILS', i18n('nl'))).toBe('2 plaatsen in lesgroepen eraf')
    expect(formatGroupCounts({ groupsJoined: 1, groupsLeft: 3 }, 'TEACHERS', i18n('nl'))).toBe(
      '1 koppeling van docent aan groep erbij, 3 koppelingen van docenten aan groepen eraf',
    )
    expect(formatGroupCounts({ groupsJoined: 1200, groupsLeft: 2 }, 'TEACHERS', i18n('en'))).toBe(
      '1,200 teacher-to-group links added, 2 teacher-to-group links removed',
    )
  })
  it('says nothing when no membership changes (a pupil file without lesgroepen)', () => {
    expect(formatGroupCounts({ groupsJoined: 0, groupsLeft: 0 }, 'PUPILS', i18n('nl'))).toBeNull()
    expect(formatGroupCounts({}, 'PUPILS', i18n('nl'))).toBeNull()
  })
})

describe('GroupDiff', () => {
  it('shows joined groups green with +, left groups struck through with −, and says so to screen readers', () => {
    renderWithProviders(<GroupDiff before="h4a.en2, h4a.ne1" after="h4a.en3, h4a.ne1" />)
    const diff = screen.getByTestId('group-diff')
    expect(diff).toHaveTextContent('− h4a.en2 (eraf)+ h4a.en3 (erbij)h4a.ne1')
    const left = diff.querySelector('[data-change="left"] [data-name]') as HTMLElement
    expect(left).toHaveStyle({ textDecoration: 'line-through' })
    expect(left).toHaveTextContent(/^h4a\.en2$/)
    expect(diff.querySelector('[data-change="joined"]')).toHaveTextContent('h4a.en3')
    expect(diff.querySelector('[data-change="kept"]')).toHaveTextContent('h4a.ne1')
  })
  it('says "none" in English when there are no groups at all', () => {
    renderWithProviders(<GroupDiff before="" after="" />, { lang: 'en' })
    expect(screen.getByText('none')).toBeVisible()
  })
})

describe('KindBanner', () => {
  it('says the file holds teachers and offers to switch', () => {
    renderWithProviders(<KindBanner jobId="1" kind="TEACHERS" />)
    expect(screen.getByTestId('file-kind')).toHaveTextContent('Dit bestand bevat docenten')
    expect(screen.getByRole('radio', { name: 'Docenten' })).toBeChecked()
    expect(screen.getByRole('radio', { name: 'Leerlingen' })).not.toBeChecked()
  })
  it('speaks English too', () => {
    renderWithProviders(<KindBanner jobId="1" kind="PUPILS" />, { lang: 'en' })
    expect(screen.getByTestId('file-kind')).toHaveTextContent('This file holds pupils')
  })
})
