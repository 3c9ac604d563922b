package graph

import "github.com/99designs/gqlgen/graphql"

// extensionBase is what this package's handler extensions (introspectionFor, mustChange,
// socketRecheck, operationCost) share: gqlgen asks each to validate the schema, and none has
// anything to check. Each names itself with ExtensionName.
type extensionBase struct{}

// Validate implements graphql.HandlerExtension.
func (extensionBase) Validate(graphql.ExecutableSchema) error { return nil }
