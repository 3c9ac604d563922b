/** Values that can be put into a message's {placeholders}. */
export type MessageVars = Record<string, string | number>

/** Replaces each {name} in template with vars[name]; unknown placeholders stay as they are. */
export function interpolate(template: string, vars?: MessageVars): string {
  if (!vars) return template
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  )
}
