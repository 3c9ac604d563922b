// Package graph is the GraphQL API of Numo accounts: the gqlgen schema files, thin resolvers
// that call the domain packages in internal/, and the HTTP handler that serves them.
package graph

import (
	"github.com/numo/accounts/ent"
)

// Resolver is the root resolver; it holds the dependencies the resolvers share.
type Resolver struct {
	client *ent.Client
}
