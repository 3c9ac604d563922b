package list_test

import (
	"encoding/json"
	"testing"

	"github.com/numo/accounts/internal/list"
)

func TestNonNil(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want string
	}{{nil, "[]"}, {[]string{}, "[]"}, {[]string{"1A"}, `["1A"]`}} {
		b, _ := json.Marshal(list.NonNil(tt.in))
		if string(b) != tt.want {
			t.Errorf("NonNil(%#v) = %s, want %s", tt.in, b, tt.want)
		}
	}
}
