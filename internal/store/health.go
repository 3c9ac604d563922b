package store

import (
	"context"
	"fmt"
)

// Ping reports whether the database answers. After a PostgreSQL restart every idle connection
// of the pool is dead, and database/sql would hand them out one per check, each failing while
// the server is fine: so after a failure the idle connections are dropped and the check is
// tried once more on a fresh connection.
func (d *DB) Ping(ctx context.Context) error {
	err := d.SQL.PingContext(ctx)
	if err == nil || ctx.Err() != nil {
		return err
	}
	idle := d.SQL.Stats().MaxOpenConnections // the pool keeps as many idle as it may open
	d.SQL.SetMaxIdleConns(0)                 // closes every idle connection
	d.SQL.SetMaxIdleConns(idle)
	if err2 := d.SQL.PingContext(ctx); err2 != nil {
		return fmt.Errorf("database: %w", err2)
	}
	return nil
}
