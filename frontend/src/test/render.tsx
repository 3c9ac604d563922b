import { MantineProvider } from '@mantine/core'
import { render } from '@testing-library/react'
import type { ReactElement } from 'react'
import { Provider as UrqlProvider, type Client } from 'urql'
import { never } from 'wonka'
import { I18nProvider, type Lang } from '../i18n'

/** A urql client that never answers; enough for components that only render. */
export const idleClient = {
  executeQuery: () => never,
  executeMutation: () => never,
  executeSubscription: () => never,
} as unknown as Client

/** Renders ui with Mantine, the dictionaries and a urql client, as the app does. */
export function renderWithProviders(ui: ReactElement, { lang = 'nl', client = idleClient }: { lang?: Lang; client?: Client } = {}) {
  return render(
    <MantineProvider env="test">
      <I18nProvider lang={lang}>
        <UrqlProvider value={client}>{ui}</UrqlProvider>
      </I18nProvider>
    </MantineProvider>,
  )
}
