package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
)

// One statement for a class with its pupils (PostgreSQL).
//
// entgql's field collection reads node(id:) { ... on Class { name pupils(first: 30) { … } } }
// as two statements: the class, then its first pupils. PupilsJSON adds those pupils to the
// class's own row instead, as a column holding a JSON array (json_agg of a correlated
// subquery), so a roster read is one statement and one round trip. No interceptor sees a
// subquery, so the caller passes the pupils' visibility rule: the account interceptor's
// (schema.AccountVisible for the viewer), exactly as it would narrow the second statement.

// PupilsJSON returns a modifier for a class query (ent's Modify) that selects, as the column
// named as, a JSON array of the first limit pupils (the pupils edge, ordered by id) of each
// class row that visible lets through (nil: every pupil, for the product's own code), each
// pupil an object of columns (account.Columns; id is always there). PostgreSQL only.
func PupilsJSON(as string, limit int, columns []string, visible func(*entsql.Selector)) func(*entsql.Selector) {
	return func(s *entsql.Selector) {
		d := entsql.Dialect(s.Dialect())
		t := d.Table(account.Table)
		cols := make([]string, 0, len(columns)+1)
		cols = append(cols, t.C(account.FieldID))
		for _, c := range columns {
			if c != account.FieldID {
				cols = append(cols, t.C(c))
			}
		}
		pupils := d.Select(cols...).From(t).
			Where(entsql.ColumnsEQ(t.C(account.FieldClassID), s.C(class.FieldID))).
			OrderBy(t.C(account.FieldID)).Limit(limit)
		if visible != nil {
			visible(pupils)
		}
		rows := pupils.As("p")
		agg := d.SelectExpr(entsql.ExprFunc(func(b *entsql.Builder) {
			b.WriteString("COALESCE(json_agg(").Ident("p").WriteString(" ORDER BY ").
				WriteString(rows.C(account.FieldID)).WriteString("), '[]')")
		})).From(rows)
		s.AppendSelectExprAs(agg, as)
	}
}

// DecodePupils reads the column PupilsJSON selected (ent's Value of it) back into accounts.
// They carry only the columns asked for and no ent client: fit for plain fields, not for
// edges or methods that query. It reads the JSON PostgreSQL writes for that column — an array
// of flat objects of the account columns below — itself: encoding/json's reflection cost more
// than the round trip the one statement saves.
func DecodePupils(v any) ([]*ent.Account, error) {
	var b []byte
	switch x := v.(type) {
	case []byte:
		b = x
	case string:
		b = []byte(x)
	default:
		return nil, fmt.Errorf("pupils column: unexpected %T", v)
	}
	d := jsonRows{b: string(b)} // one copy; every string read is a part of it
	out, err := d.accounts()
	if err != nil {
		return nil, fmt.Errorf("pupils column at byte %d: %w", d.i, err)
	}
	return out, nil
}

// jsonRows reads an array of flat JSON objects.
type jsonRows struct {
	b string
	i int
}

var errJSONRows = errors.New("not an array of flat objects")

// accounts reads the array, one account per object.
func (d *jsonRows) accounts() ([]*ent.Account, error) {
	if !d.next('[') {
		return nil, errJSONRows
	}
	out := []*ent.Account{}
	if d.next(']') {
		return out, nil
	}
	for {
		a := &ent.Account{}
		if err := d.object(a); err != nil {
			return nil, err
		}
		out = append(out, a)
		if d.next(']') {
			return out, nil
		}
		if !d.next(',') {
			return nil, errJSONRows
		}
	}
}

// object reads one object into a.
func (d *jsonRows) object(a *ent.Account) error {
	if !d.next('{') {
		return errJSONRows
	}
	if d.next('}') {
		return nil
	}
	for {
		key, err := d.value()
		if err != nil || key.kind != '"' || !d.next(':') {
			return errJSONRows
		}
		val, err := d.value()
		if err != nil {
			return err
		}
		if err := setAccountColumn(a, key.s, val); err != nil {
			return err
		}
		if d.next('}') {
			return nil
		}
		if !d.next(',') {
			return errJSONRows
		}
	}
}

// jsonValue is a scalar: kind '"' (s the string), '0' (s the number), 'n' (null), 't'/'f'.
type jsonValue struct {
	kind byte
	s    string
}

// next skips white space and reports whether c follows, which it then consumes.
func (d *jsonRows) next(c byte) bool {
	for d.i < len(d.b) && (d.b[d.i] == ' ' || d.b[d.i] == '\n' || d.b[d.i] == '\t' || d.b[d.i] == '\r') {
		d.i++
	}
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// value reads a scalar.
func (d *jsonRows) value() (jsonValue, error) {
	switch {
	case d.next('"'):
		start := d.i
		end := strings.IndexByte(d.b[start:], '"')
		if end < 0 {
			return jsonValue{}, errJSONRows
		}
		if strings.IndexByte(d.b[start:start+end], '\\') < 0 {
			d.i = start + end + 1
			return jsonValue{'"', d.b[start : start+end]}, nil
		}
		for d.i < len(d.b) && d.b[d.i] != '"' { // escapes: rare in names, left to encoding/json
			if d.b[d.i] == '\\' {
				d.i++
			}
			d.i++
		}
		if d.i >= len(d.b) {
			return jsonValue{}, errJSONRows
		}
		d.i++
		var s string
		if err := json.Unmarshal([]byte(d.b[start-1:d.i]), &s); err != nil {
			return jsonValue{}, err
		}
		return jsonValue{'"', s}, nil
	case d.i < len(d.b) && (d.b[d.i] == '-' || d.b[d.i] >= '0' && d.b[d.i] <= '9'):
		start := d.i
		for d.i < len(d.b) && strings.IndexByte("+-.0123456789eE", d.b[d.i]) >= 0 {
			d.i++
		}
		return jsonValue{'0', d.b[start:d.i]}, nil
	}
	for _, lit := range [...]string{"null", "true", "false"} {
		if strings.HasPrefix(d.b[d.i:], lit) {
			d.i += len(lit)
			return jsonValue{lit[0], ""}, nil
		}
	}
	return jsonValue{}, errJSONRows
}

// setAccountColumn sets the field of column to v, as ent's scan of that column would.
func setAccountColumn(a *ent.Account, column string, v jsonValue) error {
	var err error
	switch column {
	case account.FieldID:
		a.ID, err = jsonInt(v)
	case account.FieldSchoolID:
		a.SchoolID, err = jsonInt(v)
	case account.FieldClassID:
		a.ClassID, err = jsonOptional(v, jsonInt)
	case account.FieldYear:
		a.Year, err = jsonOptional(v, jsonInt)
	case account.FieldCreatedAt:
		a.CreatedAt, err = jsonTime(v)
	case account.FieldUpdatedAt:
		a.UpdatedAt, err = jsonTime(v)
	case account.FieldArchivedAt:
		a.ArchivedAt, err = jsonOptional(v, jsonTime)
	case account.FieldExternalKey:
		a.ExternalKey, err = jsonOptional(v, jsonString)
	default:
		return setAccountText(a, column, v)
	}
	return err
}

// setAccountText sets the field of a text column that is never NULL.
func setAccountText(a *ent.Account, column string, v jsonValue) error {
	s, err := jsonString(v)
	if err != nil {
		return err
	}
	switch column {
	case account.FieldRole:
		a.Role = account.Role(s)
	case account.FieldStatus:
		a.Status = account.Status(s)
	case account.FieldFirstName:
		a.FirstName = s
	case account.FieldInfix:
		a.Infix = s
	case account.FieldLastName:
		a.LastName = s
	case account.FieldEmail:
		a.Email = s
	case account.FieldUsername:
		a.Username = s
	case account.FieldEckID:
		a.EckID = s
	case account.FieldLevel:
		a.Level = s
	default:
		return fmt.Errorf("column %q: not read here", column)
	}
	return nil
}

func jsonString(v jsonValue) (string, error) {
	if v.kind == 'n' {
		return "", nil
	}
	if v.kind != '"' {
		return "", errJSONRows
	}
	return v.s, nil
}

func jsonInt(v jsonValue) (int, error) {
	if v.kind == 'n' {
		return 0, nil
	}
	if v.kind != '0' {
		return 0, errJSONRows
	}
	return strconv.Atoi(v.s)
}

func jsonTime(v jsonValue) (time.Time, error) {
	if v.kind == 'n' {
		return time.Time{}, nil
	}
	if v.kind != '"' {
		return time.Time{}, errJSONRows
	}
	return time.Parse(time.RFC3339Nano, v.s)
}

// jsonOptional reads a nullable column: nil for null.
func jsonOptional[T any](v jsonValue, read func(jsonValue) (T, error)) (*T, error) {
	if v.kind == 'n' {
		return nil, nil
	}
	x, err := read(v)
	if err != nil {
		return nil, err
	}
	return &x, nil
}
