package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/numo/accounts/ent/school"
	"github.com/numo/accounts/internal/store"
)

// schoolCmd runs `numo school create`: create a school, or leave an existing one with the same
// BRIN code as it is (idempotent, so scripts can call it every time).
func schoolCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(stderr, `usage: numo school create --brin 99XX --name "…" [--db URL]`)
		return 2
	}
	fs := flag.NewFlagSet("numo school create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbURL := fs.String("db", envOr("NUMO_DATABASE_URL", "file:numo.db"), "database URL (NUMO_DATABASE_URL)")
	brin := fs.String("brin", "", "BRIN code of the school (required)")
	name := fs.String("name", "", "name of the school (required)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	*brin = strings.ToUpper(strings.TrimSpace(*brin))
	*name = strings.TrimSpace(*name)
	if *brin == "" || *name == "" {
		fmt.Fprintln(stderr, "numo school create: --brin and --name are required")
		return 2
	}
	db, err := openMigrated(ctx, *dbURL)
	if err != nil {
		fmt.Fprintf(stderr, "numo school create: %v\n", err)
		return 1
	}
	defer db.Close()
	existing, err := db.Client.School.Query().Where(school.Brin(*brin)).Only(ctx)
	switch {
	case err == nil:
		fmt.Fprintf(stdout, "school %s (%s) exists already\n", existing.Brin, existing.Name)
		return 0
	case !isNotFound(err):
		fmt.Fprintf(stderr, "numo school create: %v\n", err)
		return 1
	}
	s, err := db.Client.School.Create().SetBrin(*brin).SetName(*name).Save(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "numo school create: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "school %s (%s) created\n", s.Brin, s.Name)
	return 0
}

func openMigrated(ctx context.Context, url string) (*store.DB, error) {
	db, err := store.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
