import {
  Badge,
  CloseButton,
  type CloseButtonProps,
  createTheme,
  DEFAULT_THEME,
  Drawer,
  Modal,
  NavLink,
  Notification,
  Table,
  type MantineColorsTuple,
  type MantineThemeOverride,
} from '@mantine/core'

/** WCAG's relative luminance of a #rrggbb colour. */
export function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

/** WCAG's contrast ratio of two #rrggbb colours (1 to 21). */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (hi + 0.05) / (lo + 0.05)
}

/** a mixed with black: amount 0 is a, 1 is black. */
function darker(hex: string, amount: number): string {
  const parts = [1, 3, 5].map((i) => Math.round(parseInt(hex.slice(i, i + 2), 16) * (1 - amount)))
  return `#${parts.map((p) => p.toString(16).padStart(2, '0')).join('')}`
}

/**
 * The contrast each of the shades 6–9 keeps against white. Shade 6 is what text in that colour,
 * an outline and a filled button (white text) use; 7–9 are their hover and darker uses. 4.5:1
 * is WCAG AA for normal text; the margin keeps it on Mantine's tinted "light" backgrounds too.
 */
export const shadeContrast = [5.4, 6, 6.6, 7.4]

/**
 * A Mantine palette whose shades 6–9 are dark enough to read on white: Mantine's own grey,
 * teal, green, yellow and orange shade 6 reach 1.9–3.3:1 (the "dimmed" grey text was 3.3:1),
 * which axe-core counts as a serious violation. Shades 0–5 (backgrounds, borders) stay.
 */
export function readable(palette: readonly string[]): MantineColorsTuple {
  const out = [...palette]
  for (let i = 6; i <= 9; i++) {
    let c = out[i]
    // Never lighter than the shade below it; darken in small steps until the contrast holds.
    if (i > 6 && luminance(c) > luminance(out[i - 1])) c = out[i - 1]
    const tooLight = (x: string) => contrast(x, '#ffffff') < shadeContrast[i - 6] || contrast(x, out[1]) < 4.6
    for (let amount = 0.04; tooLight(c) && amount <= 1; amount += 0.04) {
      c = darker(out[i], amount)
    }
    out[i] = c
  }
  return out as unknown as MantineColorsTuple
}

const colors = Object.fromEntries(
  Object.entries(DEFAULT_THEME.colors)
    .filter(([name]) => name !== 'dark')
    .map(([name, palette]) => [name, readable(palette)]),
)

const font = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'

/**
 * Numo's Mantine theme: system fonts, calm indigo, colours that keep 4.5:1 on white, badges
 * that never cut their text. closeLabel names the × of dialogs and notifications for screen
 * readers (Mantine leaves it nameless), in the app's language.
 */
export function makeTheme(closeLabel: string): MantineThemeOverride {
  return createTheme({
    primaryColor: 'indigo',
    primaryShade: 6,
    colors,
    defaultRadius: 'md',
    fontFamily: font,
    headings: { fontFamily: font },
    components: {
      // Table columns size to their content's min-width; Mantine's badge would shrink to "geïmport…".
      Badge: Badge.extend({ styles: { root: { minWidth: 'max-content' } } }),
      CloseButton: CloseButton.extend({ defaultProps: { 'aria-label': closeLabel } as Partial<CloseButtonProps> }),
      Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': closeLabel } } }),
      Drawer: Drawer.extend({ defaultProps: { closeButtonProps: { 'aria-label': closeLabel } } }),
      Notification: Notification.extend({ defaultProps: { closeButtonProps: { 'aria-label': closeLabel } } }),
      // A table that scrolls in its own box can be scrolled with the keyboard: its viewport takes
      // focus (axe: scrollable-region-focusable; seen on the preview at 768 px).
      // The grey-blue description of the active (and hovered) link is too light on its tint.
      NavLink: NavLink.extend({
        styles: (_theme, props) => ({
          description: props.active ? { color: 'var(--mantine-color-indigo-9)', opacity: 1 } : {},
        }),
      }),
      TableScrollContainer: Table.ScrollContainer.extend({
        defaultProps: { scrollAreaProps: { viewportProps: { tabIndex: 0 } } },
      }),
    },
  })
}

/** The theme with Dutch labels, for tests and tools that render outside the app. */
export const theme = makeTheme('Sluiten')
