package ratelimit

import (
	"context"

	"github.com/numo/accounts/internal/store"
)

// dbStore keeps the shared counts in the database's rate_windows table.
type dbStore struct{ db *store.DB }

// NewStore is the Store of a database: every process on it shares its counts.
func NewStore(db *store.DB) Store { return dbStore{db} }

func (s dbStore) AddRateUsage(ctx context.Context, tokenID int, window int64, n Usage) (Usage, error) {
	r, p, err := s.db.AddRateUsage(ctx, tokenID, window, n.Requests, n.Points)
	return Usage{r, p}, err
}

func (s dbStore) AddRateUsageWithin(ctx context.Context, tokenID int, window int64, n, limit Usage) (Usage, bool, error) {
	r, p, ok, err := s.db.AddRateUsageWithin(ctx, tokenID, window, n.Requests, n.Points, limit.Requests, limit.Points)
	return Usage{r, p}, ok, err
}

func (s dbStore) PruneRateWindows(ctx context.Context, before int64) error {
	return s.db.PruneRateWindows(ctx, before)
}
