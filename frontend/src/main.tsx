import '@mantine/core/styles.css'
import '@mantine/dropzone/styles.css'
import '@mantine/notifications/styles.css'
import { MantineProvider } from '@mantine/core'
import { Notifications } from '@mantine/notifications'
import { StrictMode, useMemo, type ReactNode } from 'react'
import { createRoot } from 'react-dom/client'
import { BrowserRouter } from 'react-router'
import { App } from './App'
import { AuthProvider } from './auth/AuthProvider'
import { I18nProvider, useI18n } from './i18n'
import { makeTheme } from './theme'

/** Mantine with Numo's theme in the current language (the × buttons' names), and its toasts. */
function Themed({ children }: { children: ReactNode }) {
  const { t } = useI18n()
  const theme = useMemo(() => makeTheme(t('a11y.close')), [t])
  return (
    <MantineProvider theme={theme}>
      <Notifications position="bottom-right" />
      {children}
    </MantineProvider>
  )
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <Themed>
        <BrowserRouter>
          {/* AuthProvider owns the urql client: a new one at every sign-in and sign-out. */}
          <AuthProvider>
            <App />
          </AuthProvider>
        </BrowserRouter>
      </Themed>
    </I18nProvider>
  </StrictMode>,
)
