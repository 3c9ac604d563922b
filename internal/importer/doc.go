// Package importer owns the import of pupil lists that a school admin uploads
// as CSV: sniff -> parse -> map -> plan -> apply -> report.
//
// The pure stages live in this package without any database access: Parse
// decodes and splits the file (encoding, delimiter, header row), ProposeMapping
// and Mapping.Validate connect columns to Fields, and BuildRecords turns rows
// into validated, de-duplicated Records with bilingual Problems. The plan and
// apply stages compare those Records with the database and write them.
//
// Every message meant for the admin is plain Dutch (NL) with an English
// translation (EN), and every problem carries a stable machine code so the
// user interface and the API can react to it without parsing text.
package importer
