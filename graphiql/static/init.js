// Starts GraphiQL against /query (a file of its own: the page's Content-Security-Policy allows
// no inline script). A signed-in admin's requests carry the session cookie (same origin); anyone
// else pastes an API token into the Headers tab, which GraphiQL is told not to keep.
(function () {
  var signedIn = document.body.getAttribute('data-signed-in') === 'true'
  var fetcher = GraphiQL.createFetcher({ url: '/query' })
  var tokenHeaders = '{\n  "Authorization": "Bearer <your API token / uw API-sleutel>"\n}'
  var query = [
    '# Numo accounts — GraphQL API. Open "Docs" (top left) for every type and field.',
    '# ' + (signedIn ? 'Signed in: requests carry your session.' : 'Paste an API token into the Headers tab below.'),
    '# Every list is paged: first (at most 1000) is required. See docs/integrators.md.',
    'query Classes {',
    '  classes(first: 10) {',
    '    totalCount',
    '    edges { node { name pupils(first: 5, where: {status: ACTIVE}) { totalCount edges { node { externalKey firstName infix lastName } } } } }',
    '    pageInfo { hasNextPage endCursor }',
    '  }',
    '}',
    ''
  ].join('\n')
  var props = {
    fetcher: fetcher,
    defaultQuery: query,
    shouldPersistHeaders: false,
    isHeadersEditorEnabled: true
  }
  if (!signedIn) {
    props.defaultHeaders = tokenHeaders
    props.defaultEditorToolsVisibility = 'headers'
  }
  ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL, props))
})()
