package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/numo/accounts/ent/school"
	"github.com/numo/accounts/internal/app"
	"github.com/numo/accounts/internal/auth/authn"
	"github.com/numo/accounts/internal/store"
)

const schoolUsage = `usage: numo school create --brin 99XX --name "…" [--db URL]
       numo school first-admin --brin 99XX [--reset] [--db URL]`

// schoolCmd runs `numo school create`: create a school, or leave an existing one with the same
// BRIN code as it is (idempotent, so scripts can call it every time); and `numo school
// first-admin` (firstAdminCmd).
func schoolCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) > 0 && args[0] == "first-admin":
		return firstAdminCmd(ctx, args[1:], stdout, stderr)
	case len(args) == 0 || args[0] != "create":
		fmt.Fprintln(stderr, schoolUsage)
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

// firstAdminCmd runs `numo school first-admin`: when no active admin of the school has a
// password, the first admin ("beheer", created when missing) gets a one-time password, printed
// on stdout (never logged); when one has, nothing changes unless --reset gives the first admin a
// new one-time password and ends its sessions. Exit 0 done or nothing to do, 1 failed (unknown
// school, database), 2 bad usage.
func firstAdminCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("numo school first-admin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbURL := fs.String("db", envOr("NUMO_DATABASE_URL", "file:numo.db"), "database URL (NUMO_DATABASE_URL)")
	brin := fs.String("brin", "", "BRIN code of the school (required)")
	reset := fs.Bool("reset", false, "give the first admin a new one-time password even when an admin has a password (ends its sessions)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	*brin = strings.ToUpper(strings.TrimSpace(*brin))
	if *brin == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "numo school first-admin: --brin is required (and nothing else)\n"+schoolUsage)
		return 2
	}
	fail := func(err error) int { fmt.Fprintf(stderr, "numo school first-admin: %v\n", err); return 1 }
	db, s, err := openSchool(ctx, *dbURL, *brin)
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc := authn.New(db.Client, log)
	// On PostgreSQL a reset also ends the admin's websockets in every running numo serve.
	if svc.Bus, err = db.Bus(log); err != nil {
		return fail(err)
	}
	defer svc.Bus.Close()
	ok, err := svc.AdminCanSignIn(ctx, s.ID)
	if err != nil {
		return fail(err)
	}
	var user, pw string
	switch {
	case !ok:
		user, pw, err = svc.EnsureAdminPassword(ctx, s.ID, "")
	case *reset:
		user, pw, err = svc.ResetFirstAdmin(ctx, s.ID)
	default:
		fmt.Fprintf(stdout, "school %s: an admin can sign in already; nothing changed (--reset gives the first admin a new one-time password)\n", s.Brin)
		return 0
	}
	if err != nil {
		return fail(err)
	}
	app.PrintFirstAdmin(stdout, s.Brin, user, pw)
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
