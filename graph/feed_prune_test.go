package graph_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/feed"
	"github.com/numo/accounts/internal/testdb"
)

// TestRosterChangesTooOld: once the retention has pruned school A's log, a cursor from before
// what is kept is refused with CURSOR_TOO_OLD — by rosterChanges (also with first: 0) and by
// the subscription, before its first message — with the advice to read the roster in full and
// follow from School.rosterPosition; that position itself reads on.
func TestRosterChangesTooOld(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		w := buildWorld(t, kind)
		tok := w.callers["readToken"]
		db := w.app.DB()
		school := w.ids["schoolA"]
		head, err := feed.Position(context.Background(), db, school)
		if err != nil || head == 0 {
			t.Fatalf("school A at %d (%v): the test needs entries", head, err)
		}
		if _, err := feed.Prune(auth.System(context.Background()), db, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		tooOld := func(what string, errs []struct {
			Message    string
			Extensions map[string]any
		}) {
			t.Helper()
			if len(errs) != 1 || errs[0].Extensions["code"] != "CURSOR_TOO_OLD" || !strings.Contains(errs[0].Message, "School.rosterPosition") ||
				!strings.Contains(fmt.Sprint(errs[0].Extensions["messageEn"]), "School.rosterPosition") {
				t.Errorf("%s: %v, want CURSOR_TOO_OLD", what, errs)
			}
		}
		for _, first := range []int{0, 10} {
			r := w.do(t, tok, `query($s: ID!, $a: String, $f: Int) { rosterChanges(schoolId: $s, after: $a, first: $f) { nodes { position } } }`,
				map[string]any{"s": school, "a": cursorOf(school, head-1), "f": first})
			tooOld("rosterChanges", r.Errors)
		}
		r := w.do(t, tok, `query($s: ID!, $a: String) { rosterChanges(schoolId: $s, after: $a, first: 10) { nodes { position } pageInfo { endCursor } } }`,
			map[string]any{"s": school, "a": cursorOf(school, head)})
		if len(r.Errors) > 0 {
			t.Errorf("from the position: %v", r.Errors)
		}
		tooOld("subscription", firstMessage(t, w.srv.URL, tok, feedQuery, map[string]any{"s": school, "a": cursorOf(school, 0)}).Errors)
	})
}
