import '@mantine/core/styles.css'
import '@mantine/dropzone/styles.css'
import '@mantine/notifications/styles.css'
import { MantineProvider } from '@mantine/core'
import { Notifications } from '@mantine/notifications'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { BrowserRouter } from 'react-router'
import { Provider as UrqlProvider } from 'urql'
import { makeClient } from './api/client'
import { App } from './App'
import { I18nProvider } from './i18n'
import { SchoolProvider } from './school/SchoolProvider'
import { theme } from './theme'

const client = makeClient()

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme}>
      <Notifications position="bottom-right" />
      <I18nProvider>
        <UrqlProvider value={client}>
          <BrowserRouter>
            <SchoolProvider>
              <App />
            </SchoolProvider>
          </BrowserRouter>
        </UrqlProvider>
      </I18nProvider>
    </MantineProvider>
  </StrictMode>,
)
