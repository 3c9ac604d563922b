import type { CodegenConfig } from '@graphql-codegen/cli'

// Typed operations straight from the Go side's schema files: no running server needed.
// `npm run codegen` writes src/gql/ (committed); `npm run codegen:check` fails when it is stale.
const config: CodegenConfig = {
  schema: '../graph/*.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: false,
  generates: {
    './src/gql/': {
      preset: 'client',
      // persisted-documents.json lists every operation the app sends, for the Go side's contract test.
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        // Only the types the app's operations use: unrelated schema changes leave src/gql/ as it is.
        onlyOperationTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        scalars: {
          ID: 'string',
          Time: 'string',
          Cursor: 'string',
          Upload: 'File',
        },
      },
    },
  },
}

export default config
