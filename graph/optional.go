package graph

// optional is nil for "", else a pointer to s: an optional GraphQL string.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
