package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// TestWriteResponse: the answer written without re-encoding the data means what gqlgen's
// json.Marshal of the response meant, errors and extensions included.
func TestWriteResponse(t *testing.T) {
	for _, resp := range []*graphql.Response{
		{Data: json.RawMessage(`{"node":{"name":"3HV17","pupils":{"edges":[{"node":{"lastName":"<Çelik & \"Zoë\">"}}]}}}`)},
		{Data: json.RawMessage(`{"a":null}`), Errors: gqlerror.List{{Message: "niet gevonden", Path: ast.Path{ast.PathName("a")}, Extensions: map[string]any{"code": "NOT_FOUND"}}}},
		{Data: json.RawMessage(`{"a":1}`), Extensions: map[string]any{"cost": 3}},
		{},
	} {
		var got bytes.Buffer
		if !writeResponse(&got, resp) {
			t.Fatalf("%+v not written", resp)
		}
		want, err := json.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		var g, w any
		if err := json.Unmarshal(got.Bytes(), &g); err != nil {
			t.Fatalf("%s is not JSON: %v", got.Bytes(), err)
		}
		json.Unmarshal(want, &w)
		if gj, wj := mustJSON(g), mustJSON(w); gj != wj {
			t.Errorf("wrote %s\nwant  %s", got.Bytes(), want)
		}
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestFieldSetAndSlice: an object writes each response name once and null for a missing
// value; a list element that panics becomes null and a field error, the others stay.
func TestFieldSetAndSlice(t *testing.T) {
	fs := newFieldSet([]graphql.CollectedField{{Field: &ast.Field{Alias: "a"}}, {Field: &ast.Field{Alias: "b"}}, {Field: &ast.Field{Alias: "a"}}})
	fs.Values[0], fs.Values[2] = graphql.MarshalString("een"), graphql.MarshalString("twee")
	var b strings.Builder
	fs.MarshalGQL(&b)
	if b.String() != `{"a":"een","b":null}` {
		t.Errorf("field set wrote %s", b.String())
	}

	var errs gqlerror.List
	ctx := graphql.WithResponseContext(context.Background(), func(ctx context.Context, err error) *gqlerror.Error {
		e := graphql.DefaultErrorPresenter(ctx, err)
		errs = append(errs, e)
		return e
	}, func(ctx context.Context, p any) error { return gqlerror.Errorf("panic: %v", p) })
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "pupils"}}})
	arr := marshalSlice(ctx, 3, func(ctx context.Context, i int) graphql.Marshaler {
		if i == 1 {
			panic("stuk")
		}
		return graphql.MarshalInt(i * *graphql.GetFieldContext(ctx).Index)
	})
	b.Reset()
	arr.MarshalGQL(&b)
	if b.String() != `[0,null,4]` {
		t.Errorf("list wrote %s", b.String())
	}
	if errs := graphql.GetErrors(ctx); len(errs) != 1 || !strings.Contains(errs[0].Message, "stuk") || errs[0].Path.String() != "pupils[1]" {
		t.Errorf("errors %v", errs)
	}
}

// TestPlainStringFields: a plain String field selected on its object is written without a
// field context of its own from its second use on; one selected through an interface, or a
// resolver, is not.
func TestPlainStringFields(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		sys := auth.System(context.Background())
		s := db.Client.School.Create().SetName("De Linde").SetBrin("07AA").SaveX(sys)
		cl := db.Client.Class.Create().SetSchoolID(s.ID).SetName("3HV17").SaveX(sys)
		h := NewHandler(Options{Client: db.Client, DB: db, Logger: slog.New(slog.DiscardHandler)})
		v := &auth.Viewer{AccountID: 1, SchoolID: s.ID, Role: auth.RoleAdmin}
		c := client.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(w, r.WithContext(auth.NewContext(r.Context(), v)))
		}))
		var resp struct{ Node struct{ ID, Name string } }
		for range 2 {
			c.MustPost(`query($id: ID!) { node(id: $id) { id ... on Class { name } } }`, &resp, client.Var("id", cl.ID))
			if resp.Node.Name != "3HV17" {
				t.Fatalf("answer %+v", resp)
			}
		}
		kinds := map[string]plainKind{}
		plainKinds.Range(func(k, v any) bool {
			kinds[k.(*ast.FieldDefinition).Name] = v.(plainKind)
			return true
		})
		if kinds["name"] != plainString || kinds["id"] == plainString || kinds["node"] != notPlain {
			t.Errorf("kinds %v", kinds)
		}
	})
}
