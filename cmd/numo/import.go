package main

import (
	"context"
	"fmt"
	"io"

	"github.com/numo/accounts/ent"
)

func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "numo import: not built yet")
	return 1
}

func isNotFound(err error) bool { return ent.IsNotFound(err) }
