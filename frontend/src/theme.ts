import { Badge, createTheme } from '@mantine/core'

/** Numo's Mantine theme: system fonts, calm indigo, badges that never cut their text. */
export const theme = createTheme({
  primaryColor: 'indigo',
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  headings: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif' },
  components: {
    // Table columns size to their content's min-width; Mantine's badge would shrink to "geïmport…".
    Badge: Badge.extend({ styles: { root: { minWidth: 'max-content' } } }),
  },
})
