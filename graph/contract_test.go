package graph_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/numo/accounts/graph"
)

// TestAppOperationsMatchSchema validates every operation the app sends (graphql-codegen's
// persisted-documents.json, generated from the app's source) against the server's schema, so
// that the two cannot drift apart unnoticed.
func TestAppOperationsMatchSchema(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "frontend", "src", "gql", "persisted-documents.json"))
	if err != nil {
		t.Fatalf("the app's operations: %v", err)
	}
	var docs map[string]string
	if err := json.Unmarshal(raw, &docs); err != nil {
		t.Fatalf("decode persisted-documents.json: %v", err)
	}
	if len(docs) < 10 {
		t.Fatalf("only %d operations in persisted-documents.json", len(docs))
	}
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema()
	for hash, doc := range docs {
		if _, errs := gqlparser.LoadQuery(schema, doc); len(errs) > 0 {
			t.Errorf("operation %s does not fit the schema: %v\n%s", hash[:8], errs, doc)
		}
	}
	t.Logf("%d operations of the app validated", len(docs))
}
