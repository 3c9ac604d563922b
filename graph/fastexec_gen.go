//go:build ignore

// Command fastexec_gen runs after gqlgen (see the root generate.go) and points four calls of
// the generated executor at the helpers in fastexec.go: graphql.MarshalSliceConcurrently at
// marshalSlice, graphql.NewDeferredGroup at newDeferredGroup, graphql.ResolveField at
// resolveField and graphql.NewFieldSet (of an object's fields) at newFieldSet. It fails when it finds none of one of them, so that a gqlgen upgrade that
// changes the generated code is noticed, and it leaves a file it already rewrote as it is.
package main

import (
	"bytes"
	"log"
	"os"
	"regexp"
)

const file = "graph/generated.go"

var rewrites = []struct {
	from *regexp.Regexp
	to   string
}{
	{regexp.MustCompile(`graphql\.MarshalSliceConcurrently\(ctx, len\(v\), \d+, (?:true|false), func\(`), "marshalSlice(ctx, len(v), func("},
	{regexp.MustCompile(`graphql\.NewDeferredGroup\(ctx\)`), "newDeferredGroup(ctx, fields)"},
	{regexp.MustCompile(`graphql\.ResolveField\(`), "resolveField("},
	{regexp.MustCompile(`out := graphql\.NewFieldSet\(fields\)`), "out := newFieldSet(fields)"},
}

func main() {
	src, err := os.ReadFile(file)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range rewrites {
		if !r.from.Match(src) && !bytes.Contains(src, []byte(r.to)) {
			log.Fatalf("fastexec_gen: no %s in %s: has gqlgen changed its generated code?", r.from, file)
		}
		src = r.from.ReplaceAll(src, []byte(r.to))
	}
	if err := os.WriteFile(file, src, 0o644); err != nil {
		log.Fatal(err)
	}
}
