package graph_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/numo/accounts/internal/testdb"
)

const levelsUpload = `mutation($school: ID!, $file: Upload!) { upload(schoolId: $school, file: $file) {
  id columns { index field } levelValues { value count level decided } mappingProblems { code message messageEn }
} }`

type levelsJob struct {
	ID      string
	Columns []struct {
		Index int
		Field *string
	}
	LevelValues     []levelValueResp
	MappingProblems []struct{ Code, Message, MessageEn string }
}

type levelValueResp struct {
	Value   string
	Count   int
	Level   *string
	Decided bool
}

const levelsSetMapping = `mutation($job: ID!, $cols: [ColumnMappingInput!]!, $levels: [LevelMappingInput!]) {
  setMapping(jobId: $job, columns: $cols, levels: $levels) { id levelValues { value count level decided } mappingProblems { code } }
}`

const levelsPreview = `mutation($job: ID!) { preview(jobId: $job, actions: [ADD]) {
  counts { added refused } users(limit: 50) { items { key level } }
} }`

type levelsPreviewResp struct {
	Preview struct {
		Counts struct{ Added, Refused int }
		Users  struct {
			Items []struct{ Key, Level string }
		}
	}
}

// TestUnknownLevelsBlock checks issue 12.2 through the API on both databases: level values
// Numo does not know block setMapping and preview (MAPPING_INVALID naming them, with
// extensions.unknownLevels) until each is mapped to a level or to "no level" (level: null);
// the school remembers the decisions for its next upload.
func TestUnknownLevelsBlock(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		a, s := newAPI(t, kind, "78XX")
		job := uploadLevels(t, a, s.ID)
		undecided := []levelValueResp{{Value: "technasium", Count: 3}, {Value: "ISK", Count: 2}}
		if !reflect.DeepEqual(job.LevelValues, undecided) {
			t.Errorf("levelValues = %+v, want %+v", job.LevelValues, undecided)
		}
		if len(job.MappingProblems) != 1 || job.MappingProblems[0].Code != "unknown_level" || !strings.Contains(job.MappingProblems[0].Message, `"technasium" (3 leerlingen)`) {
			t.Errorf("mappingProblems = %+v", job.MappingProblems)
		}

		// Preview straight away is refused, naming both values.
		var r levelsPreviewResp
		e := errorOf(t, a.c.Post(levelsPreview, &r, client.Var("job", job.ID)))
		checkUnknownLevelsError(t, "preview", e, map[string]float64{"technasium": 3, "ISK": 2})

		// Mapping only technasium is refused, naming ISK; nothing is stored.
		cols := proposedColumns(job)
		var m map[string]any
		e = errorOf(t, a.c.Post(levelsSetMapping, &m, client.Var("job", job.ID), client.Var("cols", cols),
			client.Var("levels", []map[string]any{{"value": "technasium", "level": "vwo"}})))
		checkUnknownLevelsError(t, "setMapping with ISK undecided", e, map[string]float64{"ISK": 2})

		// technasium -> vwo and ISK deliberately without level: accepted, then previewed.
		var mapped struct{ SetMapping levelsJob }
		a.c.MustPost(levelsSetMapping, &mapped, client.Var("job", job.ID), client.Var("cols", cols),
			client.Var("levels", []map[string]any{{"value": "TECHNASIUM", "level": "vwo"}, {"value": "ISK", "level": nil}}))
		vwo := "vwo"
		if want := []levelValueResp{{"technasium", 3, &vwo, true}, {"ISK", 2, nil, true}}; !reflect.DeepEqual(mapped.SetMapping.LevelValues, want) ||
			len(mapped.SetMapping.MappingProblems) != 0 {
			t.Errorf("after setMapping: %+v, want levelValues %+v and no problems", mapped.SetMapping, want)
		}
		checkPreviewLevels(t, a, job.ID)

		// The school remembers: the same file again previews without a mapping step.
		again := uploadLevels(t, a, s.ID)
		if want := []levelValueResp{{"technasium", 3, &vwo, true}, {"ISK", 2, nil, true}}; !reflect.DeepEqual(again.LevelValues, want) || len(again.MappingProblems) != 0 {
			t.Errorf("second upload: levelValues %+v, problems %+v", again.LevelValues, again.MappingProblems)
		}
		checkPreviewLevels(t, a, again.ID)
	})
}

func uploadLevels(t *testing.T, a *api, schoolID int) levelsJob {
	t.Helper()
	var up struct{ Upload levelsJob }
	if err := a.c.Post(levelsUpload, &up, client.Var("school", schoolID), client.Var("file", fixture(t, "import/unknown_levels.csv")), client.WithFiles()); err != nil {
		t.Fatalf("upload: %v", err)
	}
	return up.Upload
}

// proposedColumns is the job's proposed column mapping as setMapping input.
func proposedColumns(job levelsJob) []map[string]any {
	cols := []map[string]any{}
	for _, c := range job.Columns {
		cols = append(cols, map[string]any{"column": c.Index, "field": c.Field})
	}
	return cols
}

// checkUnknownLevelsError checks a MAPPING_INVALID that names the undecided values.
func checkUnknownLevelsError(t *testing.T, what string, e gqlError, want map[string]float64) {
	t.Helper()
	if e.Extensions["code"] != "MAPPING_INVALID" {
		t.Fatalf("%s: %+v, want MAPPING_INVALID", what, e)
	}
	list, _ := e.Extensions["unknownLevels"].([]any)
	got := map[string]float64{}
	for _, v := range list {
		m := v.(map[string]any)
		got[m["value"].(string)] = m["count"].(float64)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: unknownLevels %v, want %v", what, got, want)
	}
	for v := range want {
		if !strings.Contains(e.Message, `"`+v+`"`) || !strings.Contains(e.Extensions["messageEn"].(string), `"`+v+`"`) {
			t.Errorf("%s: message does not name %q: %q / %q", what, v, e.Message, e.Extensions["messageEn"])
		}
	}
}

// checkPreviewLevels previews the job and checks every pupil's level.
func checkPreviewLevels(t *testing.T, a *api, job string) {
	t.Helper()
	var r levelsPreviewResp
	a.c.MustPost(levelsPreview, &r, client.Var("job", job))
	want := map[string]string{"7001": "vwo", "7002": "vwo", "7003": "vwo", "7004": "", "7005": "", "7006": "havo", "7007": "vmbo-gt/havo"}
	got := map[string]string{}
	for _, u := range r.Preview.Users.Items {
		got[u.Key] = u.Level
	}
	if r.Preview.Counts.Added != 7 || !reflect.DeepEqual(got, want) {
		t.Errorf("preview: %d added, levels %v; want 7 and %v", r.Preview.Counts.Added, got, want)
	}
}

const otherLevelsUpload = `mutation($school: ID!, $file: Upload!) { upload(schoolId: $school, file: $file) {
  id columns { index field } levelValues { value } unknownLevelsTotal otherLevels mappingProblems { code message messageEn }
} }`

const otherLevelsSetMapping = `mutation($job: ID!, $cols: [ColumnMappingInput!]!, $other: OtherLevels) {
  setMapping(jobId: $job, columns: $cols, otherLevels: $other) { levelValues { value } unknownLevelsTotal otherLevels mappingProblems { code } }
}`

type otherLevelsJob struct {
	ID      string
	Columns []struct {
		Index int
		Field *string
	}
	LevelValues        []struct{ Value string }
	UnknownLevelsTotal int
	OtherLevels        *string
	MappingProblems    []struct{ Code, Message, MessageEn string }
}

// TestOtherLevelsWayOut: a file with more unrecognised level values than a job lists (260, of
// which 200 are listed) says so and blocks setMapping and preview, until setMapping's
// otherLevels NO_LEVEL decides every other value as "no level"; the preview then imports all
// without a level, and the school does not remember the choice. Both databases.
func TestOtherLevelsWayOut(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		a, s := newAPI(t, kind, "79XX")
		upload := func() otherLevelsJob {
			t.Helper()
			var up struct{ Upload otherLevelsJob }
			if err := a.c.Post(otherLevelsUpload, &up, client.Var("school", s.ID), client.Var("file", fixture(t, "import/many_levels.csv")), client.WithFiles()); err != nil {
				t.Fatalf("upload: %v", err)
			}
			return up.Upload
		}
		job := upload()
		if len(job.LevelValues) != 200 || job.UnknownLevelsTotal != 260 || job.OtherLevels != nil ||
			len(job.MappingProblems) != 1 || !strings.Contains(job.MappingProblems[0].Message, "260 verschillende niveauwaarden") ||
			!strings.Contains(job.MappingProblems[0].MessageEn, "may not be a level column") {
			t.Fatalf("upload: %d level values, total %d, other %v, problems %+v", len(job.LevelValues), job.UnknownLevelsTotal, job.OtherLevels, job.MappingProblems)
		}
		cols := []map[string]any{}
		for _, c := range job.Columns {
			cols = append(cols, map[string]any{"column": c.Index, "field": c.Field})
		}
		var m map[string]any
		e := errorOf(t, a.c.Post(otherLevelsSetMapping, &m, client.Var("job", job.ID), client.Var("cols", cols)))
		if e.Extensions["code"] != "MAPPING_INVALID" || !strings.Contains(e.Message, "260 verschillende") {
			t.Errorf("setMapping without otherLevels: %+v", e)
		}
		if list, _ := e.Extensions["unknownLevels"].([]any); len(list) != 200 {
			t.Errorf("unknownLevels lists %d values, want 200", len(list))
		}
		var r levelsPreviewResp
		if e := errorOf(t, a.c.Post(levelsPreview, &r, client.Var("job", job.ID))); e.Extensions["code"] != "MAPPING_INVALID" {
			t.Errorf("preview before the choice: %+v", e)
		}

		var mapped struct{ SetMapping otherLevelsJob }
		a.c.MustPost(otherLevelsSetMapping, &mapped, client.Var("job", job.ID), client.Var("cols", cols), client.Var("other", "NO_LEVEL"))
		if got := mapped.SetMapping; got.OtherLevels == nil || *got.OtherLevels != "NO_LEVEL" || len(got.MappingProblems) != 0 || got.UnknownLevelsTotal != 260 {
			t.Errorf("after otherLevels NO_LEVEL: %+v", got)
		}
		a.c.MustPost(levelsPreview, &r, client.Var("job", job.ID))
		if r.Preview.Counts.Added != 420 || r.Preview.Counts.Refused != 0 {
			t.Errorf("preview: %+v, want 420 added", r.Preview.Counts)
		}
		for _, u := range r.Preview.Users.Items {
			if u.Level != "" {
				t.Errorf("pupil %s has level %q, want none", u.Key, u.Level)
			}
		}

		// The choice is this job's only: the same file again is blocked.
		if again := upload(); again.OtherLevels != nil || len(again.MappingProblems) != 1 {
			t.Errorf("second upload: other %v, problems %+v", again.OtherLevels, again.MappingProblems)
		}
	})
}
