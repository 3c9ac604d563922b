// Command roster prints a school's roster as CSV — stamklas, externalKey, firstName, infix,
// lastName — through Numo's GraphQL API with an API token (scope READ_ROSTERS). It pages
// through the stamklassen and through each class's active pupils with Relay cursors, as every
// list in the API is paged (first at most 1,000), and stops at the first error with its stable
// extensions.code. docs/integrators.md explains it; main_test.go runs it against a real numo.
//
//	NUMO_TOKEN=numo_… go run ./docs/examples/roster -url http://localhost:8080 > roster.csv
package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	url := flag.String("url", "http://localhost:8080", "the Numo server")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := Roster(ctx, *url, os.Getenv("NUMO_TOKEN"), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "roster:", err)
		os.Exit(1)
	}
}

// pupilsFragment is a page of a class's active pupils; pupilsAfter is where it starts.
const pupilsFragment = `
fragment Pupils on Class {
  pupils(first: 1000, after: $pupilsAfter, where: {status: ACTIVE}) {
    pageInfo { hasNextPage endCursor }
    edges { node { externalKey firstName infix lastName } }
  }
}`

// classesQuery reads one page of stamklassen with the first page of their active pupils. Its
// cost (20 classes × 1,000 pupils × their fields) stays well under the default limit of 500,000.
const classesQuery = `query Classes($after: Cursor, $pupilsAfter: Cursor) {
  classes(first: 20, after: $after, where: {kind: STAMKLAS}) {
    pageInfo { hasNextPage endCursor }
    edges { node { id name ...Pupils } }
  }
}` + pupilsFragment

// pupilsQuery reads a further page of one class's pupils (a class of more than 1,000).
const pupilsQuery = `query MorePupils($id: ID!, $pupilsAfter: Cursor) {
  node(id: $id) { ... on Class { name ...Pupils } }
}` + pupilsFragment

type pageInfo struct {
	HasNextPage bool    `json:"hasNextPage"`
	EndCursor   *string `json:"endCursor"`
}

type class struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Pupils struct {
		PageInfo pageInfo `json:"pageInfo"`
		Edges    []struct {
			Node struct{ ExternalKey, FirstName, Infix, LastName string } `json:"node"`
		} `json:"edges"`
	} `json:"pupils"`
}

// Roster writes the CSV of the school whose token is given, from the server at base.
func Roster(ctx context.Context, base, token string, out io.Writer) error {
	c := &client{url: strings.TrimSuffix(base, "/") + "/query", token: token}
	w := csv.NewWriter(out)
	w.Write([]string{"class", "externalKey", "firstName", "infix", "lastName"}) //nolint:errcheck // w.Error below
	var after *string
	for {
		var data struct {
			Classes struct {
				PageInfo pageInfo               `json:"pageInfo"`
				Edges    []struct{ Node class } `json:"edges"`
			} `json:"classes"`
		}
		if err := c.do(ctx, classesQuery, map[string]any{"after": after, "pupilsAfter": nil}, &data); err != nil {
			return err
		}
		for _, e := range data.Classes.Edges {
			if err := c.writeClass(ctx, w, e.Node); err != nil {
				return err
			}
		}
		if !data.Classes.PageInfo.HasNextPage {
			break
		}
		after = data.Classes.PageInfo.EndCursor
	}
	w.Flush()
	return w.Error()
}

// writeClass writes a class's pupils, asking for further pages while there are.
func (c *client) writeClass(ctx context.Context, w *csv.Writer, cl class) error {
	for {
		for _, p := range cl.Pupils.Edges {
			w.Write([]string{cl.Name, p.Node.ExternalKey, p.Node.FirstName, p.Node.Infix, p.Node.LastName}) //nolint:errcheck // w.Error
		}
		if !cl.Pupils.PageInfo.HasNextPage {
			return nil
		}
		var data struct{ Node class }
		vars := map[string]any{"id": cl.ID, "pupilsAfter": cl.Pupils.PageInfo.EndCursor}
		if err := c.do(ctx, pupilsQuery, vars, &data); err != nil {
			return err
		}
		data.Node.ID = cl.ID
		cl = data.Node
	}
}

// client posts GraphQL operations with the API token.
type client struct {
	url, token string
	http       http.Client
}

// Error is a GraphQL error as Numo answers it: program against Code (docs/errors.md).
type Error struct {
	Message    string `json:"message"`
	Extensions struct {
		Code      string `json:"code"`
		MessageEn string `json:"messageEn"`
	} `json:"extensions"`
}

func (e *Error) Error() string { return e.Extensions.Code + ": " + e.Extensions.MessageEn }

func (c *client) do(ctx context.Context, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []*Error        `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return fmt.Errorf("HTTP %d: %w", resp.StatusCode, err)
	}
	if len(r.Errors) > 0 {
		return r.Errors[0]
	}
	return json.Unmarshal(r.Data, out)
}
