//go:build ignore

// Command entc generates the ent client and graph/ent.graphql from ent/schema. It is run by the
// root generate.go, before gqlgen.
package main

import (
	"log"
	"os"
	"regexp"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
)

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("graph/ent.graphql"),
		entgql.WithConfigPath("gqlgen.yml"),
		entgql.WithWhereInputs(true),
		entgql.WithNodeDescriptor(false),
	)
	if err != nil {
		log.Fatalf("entgql extension: %v", err)
	}
	cfg := &gen.Config{
		Target:  "ent",
		Package: "github.com/numo/accounts/ent",
		Features: []gen.Feature{
			gen.FeatureGlobalID,
			gen.FeatureIntercept,
			gen.FeaturePrivacy,
			gen.FeatureLock,
			gen.FeatureUpsert,
			gen.FeatureExecQuery,
			gen.FeatureModifier,
		},
	}
	if err := entc.Generate("./ent/schema", cfg, entc.Extensions(ex)); err != nil {
		log.Fatalf("entc generate: %v", err)
	}
	rewriteM2MLimits("ent/gql_collection.go")
}

// rewriteM2MLimits points the per-parent pages of many-to-many edges at limitPerRowM2M
// (ent/gql_limit.go): entgql's window query names the join column and a neighbour's column of
// the same name alike (class_teachers.class_id, accounts.class_id), which PostgreSQL refuses.
// It fails when it finds none, so that an entgql upgrade that changes the code is noticed.
func rewriteM2MLimits(file string) {
	src, err := os.ReadFile(file)
	if err != nil {
		log.Fatal(err)
	}
	m2m := regexp.MustCompile(`entgql\.LimitPerRow\((\w+\.\w+PrimaryKey\[\d\])`)
	if !m2m.Match(src) {
		log.Fatalf("entc: no entgql.LimitPerRow of a many-to-many edge in %s: has entgql changed its generated code?", file)
	}
	if err := os.WriteFile(file, m2m.ReplaceAll(src, []byte("limitPerRowM2M($1")), 0o644); err != nil {
		log.Fatal(err)
	}
}
