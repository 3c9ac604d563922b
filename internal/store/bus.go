package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"entgo.io/ent/dialect"

	"github.com/numo/accounts/internal/pubsub"
)

// Bus returns the progress bus of the database's processes: in-process on SQLite (one
// process serves it), LISTEN/NOTIFY on PostgreSQL, so that every numo on one database hears
// every other's events (and only those: the channel is the schema's).
func (d *DB) Bus(log *slog.Logger) (pubsub.Bus, error) {
	if d.Dialect != dialect.Postgres {
		return pubsub.NewLocal(), nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	schema, err := d.schema(ctx)
	if err != nil {
		return nil, fmt.Errorf("progress bus: %w", err)
	}
	return pubsub.NewPostgres(d.URL, schema, d.notify, log)
}

// schema is the PostgreSQL schema the pool's connections work in ("" when none).
func (d *DB) schema(ctx context.Context) (string, error) {
	var schema string
	err := d.SQL.QueryRowContext(ctx, "SELECT coalesce(current_schema(), '')").Scan(&schema)
	return schema, err
}

// notify sends a NOTIFY through the pool (inside a transaction it is delivered at COMMIT).
func (d *DB) notify(ctx context.Context, channel, payload string) error {
	_, err := d.SQL.ExecContext(ctx, "SELECT pg_notify($1, $2)", channel, payload)
	return err
}
