package store

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/numo/accounts/ent/account"
)

// TestOneTrip: only SELECTs whose arguments lib/pq sends as text in both modes take the
// binary (one round trip) connections; writes and []byte arguments (JSON) do not.
func TestOneTrip(t *testing.T) {
	for _, c := range []struct {
		name  string
		query string
		args  any
		want  bool
	}{
		{"select with ints and strings", `SELECT "id" FROM "accounts" WHERE "class_id" = $1 AND "username" = $2`, []any{7, "ada"}, true},
		{"select without arguments", `SELECT 1`, nil, true},
		{"lower case select", `select "id" from "accounts" where "id" = $1`, []any{int64(1)}, true},
		{"enum and time", `SELECT "id" FROM "accounts" WHERE "role" = $1 AND "created_at" < $2`, []any{account.RolePUPIL, time.Now()}, true},
		{"nullable", `SELECT "id" FROM "accounts" WHERE "infix" = $1`, []any{nil}, true},
		{"json argument", `SELECT "id" FROM "schools" WHERE "level_mappings" = $1`, []any{json.RawMessage(`{}`)}, false},
		{"bytes argument", `SELECT "id" FROM "import_blobs" WHERE "data" = $1`, []any{[]byte("x")}, false},
		{"insert returning", `INSERT INTO "schools" ("name") VALUES ($1) RETURNING "id"`, []any{"x"}, false},
		{"update", `UPDATE "accounts" SET "infix" = $1`, []any{"van"}, false},
		{"unknown type", `SELECT "id" FROM "accounts" WHERE "id" = ANY($1)`, []any{[]int{1}}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := oneTrip(c.query, c.args); got != c.want {
				t.Fatalf("oneTrip(%q, %v) = %v, want %v", c.query, c.args, got, c.want)
			}
		})
	}
}
