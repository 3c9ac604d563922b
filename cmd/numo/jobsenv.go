package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/school"
	"github.com/numo/accounts/internal/jobs"
	"github.com/numo/accounts/internal/pubsub"
	"github.com/numo/accounts/internal/store"
)

// jobsEnv is what the job commands (import, jobs, undo) work with: the database, the school
// and the same job service as numo serve.
type jobsEnv struct {
	db     *store.DB
	bus    pubsub.Bus
	jobs   *jobs.Service
	school *ent.School
}

// schoolByBRIN is the school of the database with BRIN code brin; a missing one is an error
// that says how to make it.
func schoolByBRIN(ctx context.Context, db *store.DB, brin string) (*ent.School, error) {
	s, err := db.Client.School.Query().Where(school.Brin(brin)).Only(ctx)
	if isNotFound(err) {
		return nil, fmt.Errorf("school %s bestaat niet; maak hem met numo school create --brin %s --name \"…\" (no school with BRIN %s in this database; or check --db)", brin, brin, brin)
	} else if err != nil {
		return nil, fmt.Errorf("find school %s: %w", brin, err)
	}
	return s, nil
}

// openSchool opens (and migrates) the database and finds the school by its BRIN code; the
// caller closes the database.
func openSchool(ctx context.Context, url, brin string) (*store.DB, *ent.School, error) {
	db, err := openMigrated(ctx, url)
	if err != nil {
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	s, err := schoolByBRIN(ctx, db, brin)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, s, nil
}

// openJobs opens (and migrates) the database, finds the school by its BRIN code and starts a
// job service without background work. On PostgreSQL the progress of a commit reaches the
// app's watchers in every numo serve, as from a commit in the app.
func openJobs(ctx context.Context, url, brin string) (*jobsEnv, error) {
	db, s, err := openSchool(ctx, url, brin)
	if err != nil {
		return nil, err
	}
	// Only what needs the operator's attention: the commands report their own outcome.
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	bus, err := db.Bus(log)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	svc := jobs.New(db, bus, log)
	svc.HeartbeatInterval = heartbeatEvery
	return &jobsEnv{db: db, bus: bus, jobs: svc, school: s}, nil
}

// close stops the service and closes the database.
func (e *jobsEnv) close() {
	e.jobs.Close()
	e.bus.Close()
	e.db.Close()
}

// heartbeatEvery is how often a running numo import shows on its job that it is alive (as
// numo serve does); a variable for the tests.
var heartbeatEvery = 2 * time.Second

func isNotFound(err error) bool { return ent.IsNotFound(err) }
