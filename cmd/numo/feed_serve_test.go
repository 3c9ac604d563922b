package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// TestFeedTwoProcesses is the change log's promise across processes (issue 18): two numo
// processes on one PostgreSQL write to one school at the same time (imports committed on both,
// an undo on one while the other commits), and the log read over HTTP with an API token has
// gapless positions and, replayed over a full read taken before, equals a fresh full read.
func TestFeedTwoProcesses(t *testing.T) {
	a, b, _, schoolID := twoProcesses(t, "18TW")
	commitNow(t, a, schoolID, bigFileFrom(500000, 60))
	pos, cursor := rosterPosition(t, b)
	after := any(cursor)
	snap := fullRoster(t, b)

	jobs := make([]string, 2)
	atOnce(func() { jobs[0] = commitNow(t, a, schoolID, bigFileFrom(600000, 40)) },
		func() { jobs[1] = commitNow(t, b, schoolID, bigFileFrom(700000, 40)) })
	atOnce(func() {
		if r := a.query(t, `mutation($j: ID!) { undoImport(jobId: $j) { id } }`, map[string]any{"j": jobs[0]}, nil); len(r.Errors) > 0 {
			t.Errorf("undo: %+v", r.Errors)
		}
	}, func() { commitNow(t, b, schoolID, bigFileFrom(800000, 30)) })

	last, changes := replayHTTP(t, a, schoolID, pos, after, snap)
	fresh := fullRoster(t, a)
	if !reflect.DeepEqual(snap, fresh) {
		for k, v := range fresh {
			if !reflect.DeepEqual(snap[k], v) {
				t.Errorf("%s: replayed %v, full read %v", k, snap[k], v)
			}
		}
		for k := range snap {
			if _, ok := fresh[k]; !ok {
				t.Errorf("%s: replayed, but gone in the full read", k)
			}
		}
	}
	if changes < 110 {
		t.Errorf("%d changes replayed, want at least the 110 accounts written", changes)
	}
	t.Logf("replayed %d changes (positions %d..%d) over %d entities", changes, pos+1, last, len(fresh))
}

// replayHTTP reads the school's changes after the cursor over GraphQL, page by page, checks
// that their positions follow pos without a gap and applies them to snap; it returns the last
// position and how many changes it read.
func replayHTTP(t *testing.T, p *process, schoolID int, pos int64, after any, snap map[string]map[string]any) (int64, int) {
	t.Helper()
	last := pos
	changes := 0
	for {
		var out struct {
			RosterChanges struct {
				PageInfo struct {
					EndCursor   string
					HasNextPage bool
				}
				Nodes []struct {
					Position int64
					Kind, Op string
					EntityID string
					Data     map[string]any
				}
			}
		}
		r := p.query(t, `query($s: ID!, $a: String) { rosterChanges(schoolId: $s, after: $a, first: 50) { pageInfo { endCursor hasNextPage } nodes { position kind op entityId data } } }`,
			map[string]any{"s": schoolID, "a": after}, &out)
		if len(r.Errors) > 0 {
			t.Fatalf("rosterChanges: %+v", r.Errors)
		}
		for _, c := range out.RosterChanges.Nodes {
			if c.Position != last+1 {
				t.Fatalf("position %d after %d: a gap", c.Position, last)
			}
			last = c.Position
			changes++
			key := c.Kind + ":" + c.EntityID
			if c.Op == "DELETE" {
				delete(snap, key)
			} else {
				snap[key] = pick(c.Kind, c.Data)
			}
		}
		after = out.RosterChanges.PageInfo.EndCursor
		if !out.RosterChanges.PageInfo.HasNextPage {
			break
		}
	}
	return last, changes
}

// commitNow uploads, previews and commits data on p and waits until the job is COMMITTED; a
// preview made stale by a commit on the other process is made again.
func commitNow(t *testing.T, p *process, schoolID int, data []byte) string {
	t.Helper()
	job := prepareJob(t, p, schoolID, data)
	for try := 0; ; try++ {
		r := p.query(t, `mutation($j: ID!) { commit(jobId: $j) { status } }`, map[string]any{"j": job}, nil)
		if len(r.Errors) == 0 {
			break
		}
		if try > 20 {
			t.Fatalf("commit: %+v", r.Errors)
		}
		time.Sleep(100 * time.Millisecond)
		p.query(t, `mutation($j: ID!) { preview(jobId: $j, actions: [ADD, UPDATE]) { counts { added } } }`, map[string]any{"j": job}, nil)
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var out struct{ Node struct{ Status string } }
		p.query(t, `query($j: ID!) { node(id: $j) { ... on ImportJob { status } } }`, map[string]any{"j": job}, &out)
		switch out.Node.Status {
		case "COMMITTED":
			return job
		case "FAILED":
			t.Fatalf("job %s failed", job)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("job %s not committed in time", job)
	return ""
}

func positionCursor(t *testing.T, p *process) string {
	t.Helper()
	var out struct {
		Schools struct {
			Edges []struct {
				Node struct{ RosterPosition string }
			}
		}
	}
	if r := p.query(t, `{ schools(first: 1) { edges { node { rosterPosition } } } }`, nil, &out); len(r.Errors) > 0 || len(out.Schools.Edges) != 1 {
		t.Fatalf("rosterPosition: %+v", r.Errors)
	}
	return out.Schools.Edges[0].Node.RosterPosition
}

// rosterPosition is the school's position now, from the opaque cursor School.rosterPosition
// gives (its format is the server's business; the test may know it).
func rosterPosition(t *testing.T, p *process) (int64, string) {
	t.Helper()
	cursor := positionCursor(t, p)
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	var schoolID int
	var pos int64
	if err == nil {
		_, err = fmt.Sscanf(string(raw), "rc1:%d:%d", &schoolID, &pos)
	}
	if err != nil {
		t.Fatalf("cursor %q: %v", cursor, err)
	}
	return pos, cursor
}

// fullRoster reads every account and class of the token's school over GraphQL, as the subset
// of fields the replay compares.
func fullRoster(t *testing.T, p *process) map[string]map[string]any {
	t.Helper()
	var out struct {
		Accounts struct {
			Edges []struct{ Node map[string]any }
		}
		Classes struct {
			Edges []struct{ Node map[string]any }
		}
	}
	r := p.query(t, `{ accounts(first: 1000) { edges { node { id firstName infix lastName externalKey status classID year level } } }
		classes(first: 1000) { edges { node { id name kind year level } } } }`, nil, &out)
	if len(r.Errors) > 0 {
		t.Fatalf("full read: %+v", r.Errors)
	}
	m := map[string]map[string]any{}
	for _, e := range out.Accounts.Edges {
		m["ACCOUNT:"+fmt.Sprint(e.Node["id"])] = pick("ACCOUNT", e.Node)
	}
	for _, e := range out.Classes.Edges {
		m["CLASS:"+fmt.Sprint(e.Node["id"])] = pick("CLASS", e.Node)
	}
	return m
}

// pick is the subset of an account's or class's fields the replay compares, normalised.
func pick(kind string, d map[string]any) map[string]any {
	keys := []string{"id", "firstName", "infix", "lastName", "externalKey", "status", "classID", "year", "level"}
	if kind == "CLASS" {
		keys = []string{"id", "name", "kind", "year", "level"}
	}
	out := map[string]any{}
	for _, k := range keys {
		b, _ := json.Marshal(d[k])
		out[k] = string(b)
	}
	if out["level"] == `null` {
		out["level"] = `""`
	}
	return out
}
