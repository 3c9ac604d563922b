// Copies the browser builds of GraphiQL and React from node_modules into vendor/, which
// vendor.go embeds into the numo binary: /graphiql then needs no CDN (many schools' networks
// and the Content-Security-Policy allow none). GraphiQL 4's UMD build carries graphql-js and
// CodeMirror and reads React and ReactDOM from globals, so no bundler is needed.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const files = {
  'react.production.min.js': 'react/umd/react.production.min.js',
  'react-dom.production.min.js': 'react-dom/umd/react-dom.production.min.js',
  'graphiql.min.js': 'graphiql/graphiql.min.js',
  'graphiql.min.css': 'graphiql/graphiql.min.css',
}
mkdirSync(join(here, 'vendor'), { recursive: true })
for (const [to, from] of Object.entries(files)) {
  copyFileSync(join(here, 'node_modules', from), join(here, 'vendor', to))
}
const version = JSON.parse(readFileSync(join(here, 'node_modules/graphiql/package.json'), 'utf8')).version
console.log(`graphiql ${version} copied into vendor/`)
