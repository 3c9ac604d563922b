package graph

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/graph/model"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/feed"
)

// The roster change log's API (feed.graphql): thin over package feed. A cursor is opaque to
// clients: base64 of "rc1:<school>:<position>", so that a cursor of another school's log is
// refused instead of read.

// feedReader authorises the viewer for the school's change log: an admin account of it, or an
// API token of it with READ_ROSTERS. Teachers, pupils and other schools are refused.
func feedReader(ctx context.Context, schoolID int) error {
	v := auth.FromContext(ctx)
	switch {
	case v == nil:
		return auth.ErrUnauthenticated
	case v.SchoolID != schoolID:
		return auth.ErrForbidden
	case v.IsToken() && v.Has(auth.ScopeReadRosters) && !v.MustChangePassword:
		return nil
	case v.IsAdminAccount():
		return nil
	}
	return auth.ErrForbidden
}

// canReadFeed reports whether the viewer may read the school's change log.
func canReadFeed(ctx context.Context, schoolID int) bool { return feedReader(ctx, schoolID) == nil }

func encodeFeedCursor(schoolID int, pos int64) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "rc1:%d:%d", schoolID, pos))
}

// errFeedCursor refuses an after that is not a cursor of the school's log.
var errFeedCursor = apperr.New(apperr.CodeInvalidInput,
	"Deze cursor hoort niet bij de wijzigingen van deze school. Gebruik een cursor uit rosterChanges of School.rosterPosition.",
	"This cursor does not belong to this school's roster changes. Use a cursor from rosterChanges or School.rosterPosition.",
	map[string]any{"field": "after"})

// decodeFeedCursor reads an after argument of the school: nil is the start of the log.
func decodeFeedCursor(schoolID int, after *string) (int64, error) {
	if after == nil || *after == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(*after)
	if err != nil {
		return 0, errFeedCursor
	}
	parts := strings.Split(string(raw), ":")
	if len(parts) != 3 || parts[0] != "rc1" || parts[1] != strconv.Itoa(schoolID) {
		return 0, errFeedCursor
	}
	pos, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || pos < 0 {
		return 0, errFeedCursor
	}
	return pos, nil
}

// rosterChanges is Query.rosterChanges.
func (r *Resolver) rosterChanges(ctx context.Context, schoolID int, after *string, first *int) (*model.RosterChangePage, error) {
	if err := feedReader(ctx, schoolID); err != nil {
		return nil, err
	}
	pos, err := decodeFeedCursor(schoolID, after)
	if err != nil {
		return nil, err
	}
	n := feed.MaxPage
	if first != nil {
		if *first < 0 || *first > feed.MaxPage {
			return nil, apperr.New(apperr.CodePageSize, fmt.Sprintf("first is hoogstens %d.", feed.MaxPage),
				fmt.Sprintf("first is at most %d.", feed.MaxPage), map[string]any{"max": feed.MaxPage})
		}
		n = *first
	}
	conn := &model.RosterChangePage{Nodes: []*model.RosterChange{}, PageInfo: &model.RosterChangePageInfo{}}
	end := pos
	if n == 0 { // After checks the cursor of a page
		if err := feed.Check(ctx, r.db, schoolID, pos); err != nil {
			return nil, err
		}
	}
	if n > 0 {
		changes, err := feed.After(ctx, r.db, schoolID, pos, n+1)
		if err != nil {
			return nil, err
		}
		if len(changes) > n {
			changes, conn.PageInfo.HasNextPage = changes[:n], true
		}
		for _, c := range changes {
			m, err := rosterChangeModel(schoolID, c)
			if err != nil {
				return nil, err
			}
			conn.Nodes = append(conn.Nodes, m)
			end = c.Position
		}
	}
	cursor := encodeFeedCursor(schoolID, end)
	conn.PageInfo.EndCursor = &cursor
	return conn, nil
}

// rosterChangeModel is a change as the API shows it.
func rosterChangeModel(schoolID int, c feed.Change) (*model.RosterChange, error) {
	id, err := strconv.Atoi(c.ID)
	if err != nil {
		return nil, fmt.Errorf("roster change %d: id %q: %w", c.Position, c.ID, err)
	}
	m := &model.RosterChange{Position: int(c.Position), Cursor: encodeFeedCursor(schoolID, c.Position), Kind: model.RosterChangeKind(c.Kind),
		Op: model.RosterChangeOp(c.Op), EntityID: id, Origin: model.RosterChangeOrigin(c.Origin), At: c.At}
	if job, err := strconv.Atoi(c.JobID); err == nil {
		m.JobID = &job
	}
	if len(c.Data) > 0 {
		dec := json.NewDecoder(bytes.NewReader(c.Data))
		dec.UseNumber()
		if err := dec.Decode(&m.Data); err != nil {
			return nil, fmt.Errorf("roster change %d: %w", c.Position, err)
		}
	}
	return m, nil
}

// rosterPosition is School.rosterPosition.
func (r *Resolver) rosterPosition(ctx context.Context, s *ent.School) (*string, error) {
	if !canReadFeed(ctx, s.ID) {
		return nil, nil
	}
	pos, err := feed.Position(ctx, r.db, s.ID)
	if err != nil {
		return nil, err
	}
	cursor := encodeFeedCursor(s.ID, pos)
	return &cursor, nil
}

// hubs are the processes' feed hubs, one per database (tests open several).
var hubs sync.Map // *store.DB -> *feed.Hub

func (r *Resolver) feedHub() *feed.Hub {
	if h, ok := hubs.Load(r.db); ok {
		return h.(*feed.Hub)
	}
	bus := r.jobs.Bus()
	h, loaded := hubs.LoadOrStore(r.db, feed.NewHub(r.db, bus, slog.Default()))
	if !loaded {
		feed.Attach(r.db, bus)
	}
	return h.(*feed.Hub)
}

// subscribeRosterChanges is Subscription.rosterChanges.
func (r *Resolver) subscribeRosterChanges(ctx context.Context, schoolID int, after *string) (<-chan *model.RosterChange, error) {
	if err := feedReader(ctx, schoolID); err != nil {
		return nil, err
	}
	pos, err := decodeFeedCursor(schoolID, after)
	if err != nil {
		return nil, err
	}
	if after == nil {
		if pos, err = feed.Position(ctx, r.db, schoolID); err != nil {
			return nil, err
		}
	} else if err := feed.Check(ctx, r.db, schoolID, pos); err != nil {
		return nil, err // refused before the first message; a stream that later falls that far behind ends
	}
	in := r.feedHub().Subscribe(ctx, schoolID, pos)
	out := make(chan *model.RosterChange)
	go func() {
		defer close(out)
		for c := range in {
			m, err := rosterChangeModel(schoolID, c)
			if err != nil {
				slog.Default().Warn("roster change subscription", "err", err)
				return
			}
			select {
			case out <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}
