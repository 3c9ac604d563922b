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
	docs := appOperations(t)
	if len(docs) < 10 {
		t.Fatalf("only %d operations in persisted-documents.json", len(docs))
	}
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema()
	for hash, doc := range docs {
		if _, errs := gqlparser.LoadQueryWithRules(schema, doc, nil); len(errs) > 0 {
			t.Errorf("operation %s does not fit the schema: %v\n%s", hash[:8], errs, doc)
		}
	}
	t.Logf("%d operations of the app validated", len(docs))
}

// TestAppOperationsFitTheLimits prices every operation of the app with the server's cost
// function, at the largest page sizes the server allows (so any page size the app picks
// fits), and fails when one does not fit the default limits with room to spare: the app must
// never meet COMPLEXITY_LIMIT_EXCEEDED, DEPTH_LIMIT_EXCEEDED, PAGE_SIZE or QUERY_TOO_LARGE.
func TestAppOperationsFitTheLimits(t *testing.T) {
	docs := appOperations(t)
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema()
	// The app may use at most half the limit, so that a school twice as large, or a
	// somewhat richer page, still fits.
	const room = graph.DefaultComplexityLimit / 2
	dearest, dearestName := 0, ""
	for _, doc := range docs {
		if err := graph.CheckDocument(doc, graph.DefaultComplexityLimit); err != nil {
			t.Errorf("refused before validation: %v\n%s", err, doc)
			continue
		}
		q, errs := gqlparser.LoadQueryWithRules(schema, doc, nil)
		if len(errs) > 0 {
			continue // TestAppOperationsMatchSchema reports it
		}
		for _, op := range q.Operations {
			vars := map[string]any{}
			for _, v := range op.VariableDefinitions {
				switch v.Variable {
				case "first", "last":
					vars[v.Variable] = graph.MaxPageSize
				case "limit":
					vars[v.Variable] = 500 // the most users a preview page holds
				}
			}
			p, perr := graph.PriceOperation(q, op, vars)
			switch {
			case perr != nil:
				t.Errorf("%s: %v", op.Name, perr)
			case p.Cost > room:
				t.Errorf("%s costs %d, more than half the limit %d", op.Name, p.Cost, graph.DefaultComplexityLimit)
			case p.Depth > graph.DefaultMaxDepth:
				t.Errorf("%s nests %d deep, more than %d", op.Name, p.Depth, graph.DefaultMaxDepth)
			}
			t.Logf("%-22s cost %7d depth %d", op.Name, p.Cost, p.Depth)
			if p.Cost > dearest {
				dearest, dearestName = p.Cost, op.Name
			}
		}
	}
	t.Logf("dearest operation of the app: %s, cost %d of %d", dearestName, dearest, graph.DefaultComplexityLimit)
}

// appOperations is every operation the app sends, by hash: graphql-codegen's
// persisted-documents.json, generated from the app's source.
func appOperations(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "frontend", "src", "gql", "persisted-documents.json"))
	if err != nil {
		t.Fatalf("the app's operations: %v", err)
	}
	var docs map[string]string
	if err := json.Unmarshal(raw, &docs); err != nil {
		t.Fatalf("decode persisted-documents.json: %v", err)
	}
	return docs
}
