package jobs

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"sync"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importblob"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/jobfile"
	"github.com/numo/accounts/internal/rosterset"
)

// Origins says where each row of a roster set's canonical file came from: the set's file and
// its line. The importer plans the canonical file, whose lines mean nothing to the admin, so
// every line the API, the report and numo import show of a set's job goes through Map.
type Origins struct {
	// Files are the set's files, in the order they first appear.
	Files []string `json:"files"`
	// Rows are [canonical line, index in Files, line in that file], one per data row.
	Rows [][3]int `json:"rows"`
	// Subjects are the set's lesgroepen's subjects by name (rosterset.Set.Subjects): the
	// groups the job creates get theirs.
	Subjects map[string]string `json:"subjects,omitempty"`

	byLine map[int][2]int
}

// NewOrigins pairs the rows of a parsed canonical file with their origins (origins[i] is
// data row i). The canonical file's physical lines are taken from the parse, so a value that
// spans lines cannot shift them.
func NewOrigins(f *importer.File, origins []rosterset.Origin) *Origins {
	o := &Origins{}
	idx := map[string]int{}
	for i, r := range f.Rows {
		if i >= len(origins) {
			break
		}
		src := origins[i]
		fi, ok := idx[src.File]
		if !ok {
			fi = len(o.Files)
			idx[src.File] = fi
			o.Files = append(o.Files, src.File)
		}
		o.Rows = append(o.Rows, [3]int{r.Line, fi, src.Line})
	}
	return o
}

// Map is the set's file and line of a canonical line; ok is false for a line that is no data
// row (0: the whole file; the header).
func (o *Origins) Map(line int) (file string, orig int, ok bool) {
	if o == nil || line <= 0 {
		return "", line, false
	}
	if o.byLine == nil {
		o.byLine = make(map[int][2]int, len(o.Rows))
		for _, r := range o.Rows {
			o.byLine[r[0]] = [2]int{r[1], r[2]}
		}
	}
	r, ok := o.byLine[line]
	if !ok || r[0] >= len(o.Files) {
		return "", line, false
	}
	return o.Files[r[0]], r[1], true
}

var (
	lineNL = regexp.MustCompile(`\b([Rr]egel) (\d+)`)
	lineEN = regexp.MustCompile(`\b([Ll]ine) (\d+)`)
)

// Problem is p as the admin should read it: its line is the set file's line, and a canonical
// line its messages name ("staat ook op regel 5") becomes "regel 12 van users.csv". file is
// the set's file ("" when the line is no data row, or o is nil).
func (o *Origins) Problem(p importer.Problem) (mapped importer.Problem, file string) {
	if o == nil {
		return p, ""
	}
	file, p.Line, _ = o.Map(p.Line)
	p.NL, p.EN = o.Text(p.NL, p.EN)
	return p, file
}

// Text is a problem's messages with every canonical line they name mapped to the set's file
// and line (see Problem).
func (o *Origins) Text(nl, en string) (string, string) {
	if o == nil {
		return nl, en
	}
	return o.rewrite(nl, lineNL, "van"), o.rewrite(en, lineEN, "of")
}

// rewrite maps every line number re names in s.
func (o *Origins) rewrite(s string, re *regexp.Regexp, of string) string {
	return re.ReplaceAllStringFunc(s, func(m string) string {
		sub := re.FindStringSubmatch(m)
		n, err := strconv.Atoi(sub[2])
		if err != nil {
			return m
		}
		file, line, ok := o.Map(n)
		if !ok {
			return m
		}
		return fmt.Sprintf("%s %d %s %s", sub[1], line, of, file)
	})
}

func decodeOrigins(b []byte) (*Origins, error) {
	var o Origins
	if err := jobfile.DecodeBlob(b, &o, "origins"); err != nil {
		return nil, err
	}
	return &o, nil
}

// putOrigins stores a job's origins.
func putOrigins(ctx context.Context, c *ent.Client, jobID int, o *Origins) error {
	raw, err := jobfile.EncodeBlob(o, "origins")
	if err != nil {
		return err
	}
	if err := putBlob(ctx, c, jobID, importblob.KindORIGINS, raw); err != nil {
		return fmt.Errorf("job %d: save origins: %w", jobID, err)
	}
	return nil
}

// Origins are where the rows of a roster set's job came from; nil for a job of one uploaded
// CSV (no source), whose lines are the file's own.
func (s *Service) Origins(ctx context.Context, job *ent.ImportJob) (*Origins, error) {
	if job == nil || job.Source == "" {
		return nil, nil
	}
	if o := originCache.get(s, job.ID); o != nil {
		return o, nil
	}
	raw, err := s.blob(ctx, job.ID, importblob.KindORIGINS)
	if err != nil || raw == nil {
		return nil, err
	}
	o, err := decodeOrigins(raw)
	if err != nil {
		return nil, fmt.Errorf("job %d: %w", job.ID, err)
	}
	originCache.put(s, job.ID, o)
	return o, nil
}

// originCache keeps the origins of the last few set jobs each service read: a job's origins
// never change, and paging through a preview reads them for every page.
var originCache = &origins{max: 8}

type originKey struct {
	s     *Service
	jobID int
}

type origins struct {
	mu    sync.Mutex
	max   int
	order []originKey
	m     map[originKey]*Origins
}

func (c *origins) get(s *Service, jobID int) *Origins {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[originKey{s, jobID}]
}

func (c *origins) put(s *Service, jobID int, o *Origins) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[originKey]*Origins{}
	}
	k := originKey{s, jobID}
	if _, ok := c.m[k]; !ok {
		c.order = append(c.order, k)
	}
	// Map builds its index lazily: build it here, under the lock, so readers only read.
	o.Map(1)
	c.m[k] = o
	for len(c.order) > c.max {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
}
