// Package accounts is Numo accounts: the part of the Numo learning platform where a school's
// administrator imports its pupils for the new school year. The binary lives in cmd/numo.
//
// Code generation runs in this order: ent (client and graph/ent.graphql), then gqlgen, then
// graph/fastexec_gen.go (the generated executor calls the helpers in graph/fastexec.go).
package accounts

//go:generate go run -mod=mod ./ent/entc.go
//go:generate go tool gqlgen generate --config gqlgen.yml
//go:generate go run ./graph/fastexec_gen.go
