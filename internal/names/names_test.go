package names_test

import (
	"testing"

	"github.com/numo/accounts/internal/names"
)

func TestClassKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2HV", "2hv"},
		{" 2hv ", "2hv"},
		{"Groep  7\tA", "groep 7 a"},
		{"e\u0301xtra", "éxtra"},
	}
	for _, tt := range tests {
		if got := names.ClassKey(tt.in); got != tt.want {
			t.Errorf("ClassKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
