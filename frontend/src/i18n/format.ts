/** Values that can be put into a message's {placeholders}. */
export type MessageVars = Record<string, string | number>

/** Replaces each {name} in template with vars[name]; unknown placeholders stay as they are. */
export function interpolate(template: string, vars?: MessageVars): string {
  if (!vars) return template
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  )
}

const pluralRules = new Map<string, Intl.PluralRules>()

/**
 * The plural category of n in the language ("one", "other", …), by Intl.PluralRules: Dutch and
 * English say "1 leerling" / "2 leerlingen", "0 leerlingen".
 */
export function pluralCategory(lang: string, n: number): Intl.LDMLPluralRule {
  let rules = pluralRules.get(lang)
  if (!rules) {
    rules = new Intl.PluralRules(lang === 'nl' ? 'nl-NL' : lang === 'en' ? 'en-GB' : lang)
    pluralRules.set(lang, rules)
  }
  return rules.select(n)
}

/**
 * The text of a plural message: dict[`${base}.${category}`], else dict[`${base}.other`], with
 * {n} (the number as the language writes it, formatted by num) and vars filled in.
 */
export function pluralText(
  dict: Record<string, string>,
  lang: string,
  base: string,
  n: number,
  num: (n: number) => string,
  vars?: MessageVars,
): string {
  const template = dict[`${base}.${pluralCategory(lang, n)}`] ?? dict[`${base}.other`] ?? base
  return interpolate(template, { n: num(n), ...vars })
}
