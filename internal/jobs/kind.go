package jobs

import (
	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/importer"
)

// A job's kind is what its file holds: pupils (with or without lesgroepen) or teachers. It is
// stored twice: on the job row (import_jobs.file_kind, ImportJob.fileKind in the API) and in
// the mapping (jobfile.Mapping.Kind), which is read with the columns it belongs to. A mapping
// stored before kinds existed has none: pupils.

// KindOf is the importer's kind of a job.
func KindOf(j *ent.ImportJob) importer.Kind {
	if j.FileKind == importjob.FileKindTEACHERS {
		return importer.KindTeachers
	}
	return importer.KindPupils
}

// FileKind is the job column's value of an importer kind ("" is pupils).
func FileKind(k importer.Kind) importjob.FileKind {
	if k == importer.KindTeachers {
		return importjob.FileKindTEACHERS
	}
	return importjob.FileKindPUPILS
}

// KindFrom is the importer kind of an API value; nil (not given) is "".
func KindFrom(k *importjob.FileKind) importer.Kind {
	switch {
	case k == nil:
		return ""
	case *k == importjob.FileKindTEACHERS:
		return importer.KindTeachers
	}
	return importer.KindPupils
}

// kind is the mapping's kind, pupils when it has none.
func (m *MappingState) kind() importer.Kind {
	if m.Kind == importer.KindTeachers {
		return importer.KindTeachers
	}
	return importer.KindPupils
}

// rememberKey is the key of a school's remembered column mapping for these headers and this
// kind: a pupil file keeps the key it always had, a teacher file's is apart, so that a
// teacher mapping is never offered for a pupil file with the same headers, nor the reverse.
func rememberKey(k importer.Kind, cols []importer.Column) string {
	sig := importer.HeadersSignature(cols)
	if k == importer.KindTeachers {
		return "teachers:" + sig
	}
	return sig
}

// kindNote is what an audit event adds about a teacher file; nothing for pupils, as before.
func kindNote(k importer.Kind) string {
	if k == importer.KindTeachers {
		return ", teachers"
	}
	return ""
}

// DetectKind is what a new file of the school holds, read from its headers: the kind the
// school confirmed a mapping for with these same headers (the admin said so before, with
// setMapping's kind or numo import --kind), else what importer.SniffKind reads.
func DetectKind(school *ent.School, cols []importer.Column) importer.Kind {
	sniffed := importer.SniffKind(cols)
	other := otherKind(sniffed)
	_, mine := school.ColumnMappings[rememberKey(sniffed, cols)]
	if _, theirs := school.ColumnMappings[rememberKey(other, cols)]; theirs && !mine {
		return other
	}
	return sniffed
}

// otherKind is the kind a file is not when it is k.
func otherKind(k importer.Kind) importer.Kind {
	if k == importer.KindTeachers {
		return importer.KindPupils
	}
	return importer.KindTeachers
}
