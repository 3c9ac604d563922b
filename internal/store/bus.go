package store

import (
	"context"
	"log/slog"

	"entgo.io/ent/dialect"

	"github.com/numo/accounts/internal/pubsub"
)

// Bus returns the progress bus of the database's processes: in-process on SQLite (one
// process serves it), LISTEN/NOTIFY on PostgreSQL, so that every numo on one database hears
// every other's events.
func (d *DB) Bus(log *slog.Logger) (pubsub.Bus, error) {
	if d.Dialect != dialect.Postgres {
		return pubsub.NewLocal(), nil
	}
	return pubsub.NewPostgres(d.URL, d.notify, log)
}

// notify sends a NOTIFY through the pool (inside a transaction it is delivered at COMMIT).
func (d *DB) notify(ctx context.Context, channel, payload string) error {
	_, err := d.SQL.ExecContext(ctx, "SELECT pg_notify($1, $2)", channel, payload)
	return err
}
