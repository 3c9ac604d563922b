package schema_test

import (
	"testing"

	"entgo.io/ent/entc/load"
)

// TestEverySchemaHasRules loads every schema of this package as entc does and fails when one has
// no privacy policy (who may write) or no query interceptor (who may read): each entity takes
// both from readBy(...) or systemOnly() in its Mixin, and a new entity that forgets it would be
// readable and writable by every viewer. The GraphQL authorization test covers only the entities
// GraphQL shows; this one covers all of them.
func TestEverySchemaHasRules(t *testing.T) {
	spec, err := (&load.Config{Path: "."}).Load()
	if err != nil {
		t.Fatalf("load schemas: %v", err)
	}
	if len(spec.Schemas) < 19 {
		t.Fatalf("loaded %d schemas, want at least 19", len(spec.Schemas))
	}
	for _, s := range spec.Schemas {
		if len(s.Policy) == 0 {
			t.Errorf("%s has no privacy policy: add readBy(...) or systemOnly() to its Mixin", s.Name)
		}
		if len(s.Interceptors) == 0 {
			t.Errorf("%s has no read interceptor: add readBy(...) or systemOnly() to its Mixin", s.Name)
		}
	}
}
