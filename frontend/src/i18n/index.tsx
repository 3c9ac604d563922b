import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react'
import { en } from './en'
import { interpolate, pluralText, type MessageVars } from './format'
import { nl, type MessageKey } from './nl'

/** The languages of the app: Dutch first, English switchable. */
export type Lang = 'nl' | 'en'

/** The dictionaries by language; `en` is typed against `nl`'s keys. */
export const dictionaries: Record<Lang, Record<MessageKey, string>> = { nl, en }

const storageKey = 'numo.lang'

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(storageKey)
    if (saved === 'nl' || saved === 'en') return saved
  } catch {
    // Storage can be unavailable (private mode); Dutch is the default.
  }
  return 'nl'
}

/** What components get from useI18n. */
export interface I18n {
  lang: Lang
  setLang: (lang: Lang) => void
  /** The message for key in the current language, with {placeholders} filled in. */
  t: (key: MessageKey, vars?: MessageVars) => string
  /** Picks the Dutch or English variant of a server text (message/messageEn, label/labelEn). */
  pick: (nlText: string, enText: string | null | undefined) => string
  /** Formats a number the way the current language writes it (1.234 or 1,234). */
  num: (n: number) => string
  /**
   * A message that depends on a number: base.one or base.other by the language's plural rules
   * (Intl.PluralRules), with {n} the number as the language writes it.
   */
  plural: (base: PluralKey, n: number, vars?: MessageVars) => string
}

/** The base of a plural message: every key K for which the dictionaries have K.one and K.other. */
export type PluralKey = {
  [K in MessageKey]: K extends `${infer B}.other` ? (`${B}.one` extends MessageKey ? B : never) : never
}[MessageKey]

const I18nContext = createContext<I18n | null>(null)

/** Provides the language, remembered in localStorage. */
export function I18nProvider({ children, lang: fixed }: { children: ReactNode; lang?: Lang }) {
  const [lang, setLangState] = useState<Lang>(() => fixed ?? initialLang())
  const setLang = useCallback((next: Lang) => {
    setLangState(next)
    try {
      localStorage.setItem(storageKey, next)
    } catch {
      // Not remembered then; the choice still holds for this visit.
    }
  }, [])
  useEffect(() => {
    document.documentElement.lang = lang
  }, [lang])
  const value = useMemo<I18n>(() => {
    const dict = dictionaries[lang]
    const numberFormat = new Intl.NumberFormat(lang === 'nl' ? 'nl-NL' : 'en-GB')
    return {
      lang,
      setLang,
      t: (key, vars) => interpolate(dict[key], vars),
      pick: (nlText, enText) => (lang === 'en' && enText ? enText : nlText),
      num: (n) => numberFormat.format(n),
      plural: (base, n, vars) => pluralText(dict, lang, base, n, (x) => numberFormat.format(x), vars),
    }
  }, [lang, setLang])
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>
}

/** The current language and its translate function. */
export function useI18n(): I18n {
  const ctx = useContext(I18nContext)
  if (!ctx) throw new Error('useI18n outside I18nProvider')
  return ctx
}

export type { MessageKey }
