package graph_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/numo/accounts/internal/testdb"
)

// feedQuery subscribes to a school's roster changes after a cursor.
const feedQuery = `subscription($s: ID!, $a: String) { rosterChanges(schoolId: $s, after: $a) { position kind op entityId origin data } }`

// subscribeFeed opens a rosterChanges subscription of school A from its start and returns
// its first message.
func (w *world) subscribeFeed(t *testing.T, c caller) gqlResult {
	t.Helper()
	return firstMessage(t, w.srv.URL, c, feedQuery, map[string]any{"s": w.ids["schoolA"], "a": cursorOf(w.ids["schoolA"], 0)})
}

// cursorOf is the opaque cursor of a school's position (graph/feed_views.go).
func cursorOf(schoolID int, pos int64) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "rc1:%d:%d", schoolID, pos))
}

// TestRosterChanges reads school A's change log as its read token: in pages that follow each
// other without a gap, from the position School.rosterPosition gives; a cursor of another
// school or no cursor at all is INVALID_INPUT; and the subscription sends the backlog, then a
// teacher made by hand as it commits.
func TestRosterChanges(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		w := buildWorld(t, kind)
		tok := w.callers["readToken"]
		r := w.do(t, tok, `{ schools(first: 1) { edges { node { rosterPosition } } } }`, nil)
		edges, _ := r.Data["schools"].(map[string]any)["edges"].([]any)
		if len(edges) != 1 {
			t.Fatalf("schools: %v %v", r.Data, r.Errors)
		}
		position, _ := edges[0].(map[string]any)["node"].(map[string]any)["rosterPosition"].(string)
		var after any
		var last float64
		for page := 0; ; page++ {
			r := w.do(t, tok, `query($s: ID!, $a: String) { rosterChanges(schoolId: $s, after: $a, first: 3) { pageInfo { endCursor hasNextPage } nodes { position cursor kind op entityId origin } } }`,
				map[string]any{"s": w.ids["schoolA"], "a": after})
			if len(r.Errors) > 0 {
				t.Fatalf("page %d: %v", page, r.Errors)
			}
			conn := r.Data["rosterChanges"].(map[string]any)
			for _, n := range conn["nodes"].([]any) {
				pos := n.(map[string]any)["position"].(float64)
				if pos != last+1 {
					t.Fatalf("position %v after %v", pos, last)
				}
				last = pos
			}
			info := conn["pageInfo"].(map[string]any)
			after = info["endCursor"]
			if info["hasNextPage"] != true {
				break
			}
		}
		if last == 0 || after != position {
			t.Fatalf("read up to %v (cursor %v); rosterPosition is %q", last, after, position)
		}
		for _, bad := range []string{"x", cursorOf(w.ids["schoolA"]+1, 0), "cmMxOjE6LTE"} {
			r := w.do(t, tok, `query($s: ID!, $a: String) { rosterChanges(schoolId: $s, after: $a, first: 3) { nodes { position } } }`,
				map[string]any{"s": w.ids["schoolA"], "a": bad})
			if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "INVALID_INPUT" {
				t.Errorf("after %q: %v, want INVALID_INPUT", bad, r.Errors)
			}
		}

		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		conn, err := subscribeAs(ctx, w.srv.URL, tok, feedQuery, map[string]any{"s": w.ids["schoolA"], "a": cursorOf(w.ids["schoolA"], int64(last)-1)})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.CloseNow()
		if m := readMessage(t, ctx, conn); m.Data["rosterChanges"].(map[string]any)["position"].(float64) != last {
			t.Fatalf("backlog: %v", m)
		}
		made := w.do(t, w.callers["admin"], `mutation($s: ID!) { createTeacher(schoolId: $s, input: {firstName: "Live", lastName: "Docent", email: "l@school.invalid", username: "live-docent"}) { id } }`,
			map[string]any{"s": w.ids["schoolA"]})
		if len(made.Errors) > 0 {
			t.Fatal(made.Errors)
		}
		m := readMessage(t, ctx, conn).Data["rosterChanges"].(map[string]any)
		data, _ := m["data"].(map[string]any)
		if m["position"].(float64) != last+1 || m["origin"] != "MANUAL" || m["op"] != "UPSERT" || data["username"] != "live-docent" || data["role"] != "TEACHER" {
			t.Fatalf("live change: %v", m)
		}
		if _, ok := data["passwordHash"]; ok {
			t.Errorf("a change carries a password hash: %v", data)
		}
	})
}
