package feed_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/numo/accounts/internal/feed"
	"github.com/numo/accounts/internal/store"
)

// tricky are the pieces of the strings TestDataJSON encodes: what encoding/json escapes
// (quotes, backslashes, control characters, <, > and &, U+2028 and U+2029), invalid UTF-8 it
// replaces, and what it leaves alone (accents, DEL, a four-byte rune).
var tricky = []string{"a", "Zoë", "Çelik", `"`, `\`, "<", ">", "&", "\x00", "\b", "\f", "\n", "\r", "\t", "\x1f", "\x7f",
	"\u2028", "\u2029", "\xff", "\xc3", "\xe2\x80", "😀", " ", "é\u2028<"}

func randomString(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(6) {
		b.WriteString(tricky[r.IntN(len(tricky))])
	}
	return b.String()
}

func randomIntPtr(r *rand.Rand) *int {
	if r.IntN(3) == 0 {
		return nil
	}
	n := r.IntN(2000) - 10
	return &n
}

func randomIDs(r *rand.Rand) []int {
	out := make([]int, r.IntN(4))
	for i := range out {
		out[i] = r.IntN(1 << 40)
	}
	return out
}

// TestDataJSON: the hand-written encoders of an entry's data write exactly the bytes
// json.Marshal writes for AccountData and ClassData, for random states built from tricky strings.
func TestDataJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 13))
	zones := []*time.Location{time.UTC, time.FixedZone("CET", 3600), time.FixedZone("x", -9000)}
	for i := range 5000 {
		a := store.FeedAccount{ID: r.IntN(1 << 40), Role: randomString(r), Status: randomString(r), FirstName: randomString(r),
			Infix: randomString(r), LastName: randomString(r), Email: randomString(r), Username: randomString(r), EckID: randomString(r),
			Level: randomString(r), Year: randomIntPtr(r), ClassID: randomIntPtr(r), Groups: randomIDs(r), Teaches: randomIDs(r), Mentors: randomIDs(r)}
		if r.IntN(2) == 0 {
			k := randomString(r)
			a.Key = &k
		}
		if r.IntN(2) == 0 {
			at := time.Unix(r.Int64N(1<<33), r.Int64N(1e9)*int64(r.IntN(2))).In(zones[r.IntN(len(zones))])
			a.ArchivedAt = &at
		}
		school := r.IntN(1 << 20)
		want, err := json.Marshal(feed.AccountDataOf(school, &a))
		if err != nil {
			t.Fatal(err)
		}
		if got := feed.AppendAccountData(nil, school, &a); !bytes.Equal(got, want) {
			t.Fatalf("account %d:\n got %s\nwant %s", i, got, want)
		}
		c := store.FeedClass{ID: r.IntN(1 << 40), Name: randomString(r), Kind: randomString(r), Subject: randomString(r),
			Level: randomString(r), Year: randomIntPtr(r)}
		want, _ = json.Marshal(feed.ClassDataOf(school, &c))
		if got := feed.AppendClassData([]byte("kept"), school, &c); !bytes.Equal(got, append([]byte("kept"), want...)) {
			t.Fatalf("class %d:\n got %s\nwant kept%s", i, got, want)
		}
	}
}
