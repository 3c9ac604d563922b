// Package list holds the one helper for lists that an answer must show as [] rather than
// null: a GraphQL non-null list, a stored report, the CLI's JSON.
package list

// NonNil returns s, or an empty list when s is nil.
func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
