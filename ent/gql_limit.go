package ent

// Hand-written (not generated): the per-parent page of a many-to-many edge. ent/entc.go points
// the generated field collection at it instead of entgql.LimitPerRow for those edges.

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"
)

// edgeOwnerColumn names the join table's column in the per-parent page of a many-to-many edge.
const edgeOwnerColumn = "numo_edge_owner"

// limitPerRowM2M is entgql.LimitPerRow for a many-to-many edge, whose loader selects the join
// table's column first (class_teachers.class_id, say) and then the neighbour's columns. When the
// neighbour has a column of the same name (accounts.class_id), entgql's window query would
// name two columns alike: PostgreSQL refuses PARTITION BY "class_id" as ambiguous (SQLite
// takes the first). Here the join column is renamed in the window query; rows are scanned by
// position, so the rename changes nothing else.
func limitPerRowM2M(partitionBy string, limit int, orderBy ...sql.Querier) func(s *sql.Selector) {
	return func(s *sql.Selector) {
		cols := s.SelectedColumns()
		if len(cols) == 0 {
			entgql.LimitPerRow(partitionBy, limit, orderBy...)(s)
			return
		}
		d := sql.Dialect(s.Dialect())
		s.SetDistinct(false)
		src := s.Clone()
		src.Select(sql.As(cols[0], edgeOwnerColumn))
		src.AppendSelect(cols[1:]...)
		with := d.With("src_query").As(src).
			With("limited_query").
			As(d.Select("*").
				AppendSelectExprAs(sql.RowNumber().PartitionBy(edgeOwnerColumn).OrderExpr(orderBy...), "row_number").
				From(d.Table("src_query")))
		t := d.Table("limited_query").As(s.TableName())
		out := s.UnqualifiedColumns()
		out[0] = edgeOwnerColumn
		*s = *d.Select(out...).From(t).Where(sql.LTE(t.C("row_number"), limit)).Prefix(with)
	}
}
