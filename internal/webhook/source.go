package webhook

import (
	"context"

	"github.com/numo/accounts/internal/feed"
	"github.com/numo/accounts/internal/store"
)

// FeedSource is the database's roster change feed (package feed) as a dispatcher's Source.
type FeedSource struct{ DB *store.DB }

// After returns the school's changes after position after, in order, at most limit.
func (s FeedSource) After(ctx context.Context, schoolID int, after int64, limit int) ([]feed.Change, error) {
	return feed.After(ctx, s.DB, schoolID, after, limit)
}

// Head is the school's last position.
func (s FeedSource) Head(ctx context.Context, schoolID int) (int64, error) {
	return feed.Position(ctx, s.DB, schoolID)
}
