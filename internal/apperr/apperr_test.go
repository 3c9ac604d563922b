package apperr_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/numo/accounts/internal/apperr"
)

// TestWrite: every HTTP refusal has one shape, {"errors":[{"message","extensions":{"code",
// "messageEn",…}}]}, is JSON and not cached; anything that is not an *Error (wrapped or not)
// is answered as the generic INTERNAL error without its text.
func TestWrite(t *testing.T) {
	for _, c := range []struct {
		name   string
		err    error
		status int
		want   map[string]any
	}{
		{"fixed", apperr.ErrBadLogin, 401, map[string]any{"message": "Onjuiste gebruikersnaam of wachtwoord.",
			"extensions": map[string]any{"code": "BAD_LOGIN", "messageEn": "Wrong username or password."}}},
		{"with values", apperr.TooLarge(16 << 10), 413, map[string]any{"message": "Dit verzoek is te groot: hoogstens 16 KiB.",
			"extensions": map[string]any{"code": "TOO_LARGE", "messageEn": "This request is too large: at most 16 KiB.", "limit": float64(16 << 10)}}},
		{"wrapped", fmt.Errorf("export: %w", apperr.NotFound("account", "account", 7)), 404, map[string]any{"message": "account 7 niet gevonden",
			"extensions": map[string]any{"code": "NOT_FOUND", "messageEn": "account 7 not found"}}},
		{"anything else", errors.New("pq: password authentication failed for user secret"), 500, map[string]any{"message": "interne fout; probeer het later opnieuw",
			"extensions": map[string]any{"code": "INTERNAL", "messageEn": "internal error; try again later"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			apperr.Write(rec, c.status, c.err)
			if rec.Code != c.status || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" || rec.Header().Get("Cache-Control") != "no-store" {
				t.Fatalf("%d %v", rec.Code, rec.Header())
			}
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if want := map[string]any{"errors": []any{c.want}}; !reflect.DeepEqual(body, want) {
				t.Errorf("body %s, want %v", rec.Body, want)
			}
		})
	}
	// The shared refusals are not changed by writing them.
	if x := apperr.ErrBadLogin.Extensions(); len(x) != 1 {
		t.Errorf("ErrBadLogin's extensions changed: %v", x)
	}
}
