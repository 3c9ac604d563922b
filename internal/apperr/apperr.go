// Package apperr is the one error vocabulary of Numo: every extensions.code a client can
// receive is declared here (and listed for integrators in docs/errors.md, which a test keeps in
// sync), with its Dutch and English text where the text is fixed. A refusal is an *Error: a
// stable code, a plain Dutch message, its English translation and extra fields. The GraphQL
// error presenter shows such errors as they are (extensions.code = Code); anything else is an
// internal error. HTTP handlers outside GraphQL answer refusals with Write, in the same shape.
package apperr

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"
)

// Error is a refusal with a stable code.
type Error struct {
	code    string
	message string
	ext     map[string]any
}

// The codes of extensions.code, one constant each. docs/errors.md lists every one of them.
const (
	// CodeNotFound: no such object, or not one the viewer may see.
	CodeNotFound = "NOT_FOUND"
	// CodeInvalidState: the object's state does not allow this (any more).
	CodeInvalidState = "INVALID_STATE"
	// CodeInvalidInput: an argument is out of its range or malformed.
	CodeInvalidInput = "INVALID_INPUT"
	// CodeUnauthenticated: nobody is signed in, or the credential is no longer valid.
	CodeUnauthenticated = "UNAUTHENTICATED"
	// CodeForbidden: the viewer may not do this.
	CodeForbidden = "FORBIDDEN"
	// CodeConflict: the change clashes with existing data (a unique value).
	CodeConflict = "CONFLICT"
	// CodeCanceled: the request was canceled or timed out before it finished.
	CodeCanceled = "CANCELED"
	// CodeInternal: something went wrong on the server; the details are only in its log.
	CodeInternal = "INTERNAL"

	// CodeBadRequest: the request itself is malformed (no GraphQL document, no JSON body).
	CodeBadRequest = "BAD_REQUEST"
	// CodeMethodNotAllowed: a mutation or subscription sent with GET.
	CodeMethodNotAllowed = "METHOD_NOT_ALLOWED"
	// CodeTooLarge: the request body is over its limit.
	CodeTooLarge = "TOO_LARGE"
	// CodeCSRF: a cookie-borne write that does not come from Numo's app.
	CodeCSRF = "CSRF"

	// CodeBadLogin: wrong username or password.
	CodeBadLogin = "BAD_LOGIN"
	// CodeLocked: too many failed sign-ins.
	CodeLocked = "LOCKED"
	// CodeSchoolRequired: the installation has several schools and the sign-in named none.
	CodeSchoolRequired = "SCHOOL_REQUIRED"
	// CodeBusy: too many password hashes at once; try again in a few seconds.
	CodeBusy = "BUSY"
	// CodeStartCodeExpired: the start code of a login letter is right but has expired.
	CodeStartCodeExpired = "START_CODE_EXPIRED"
	// CodeLettersGone: a download of login letters is unknown, already taken or expired.
	CodeLettersGone = "LETTERS_GONE"
	// CodePasswordChangeRequired: signed in with a one-time password, which must be changed first.
	CodePasswordChangeRequired = "PASSWORD_CHANGE_REQUIRED"

	// CodeComplexity: the operation costs more than the complexity limit.
	CodeComplexity = "COMPLEXITY_LIMIT_EXCEEDED"
	// CodeDepth: the operation nests deeper than allowed.
	CodeDepth = "DEPTH_LIMIT_EXCEEDED"
	// CodePageSize: a list asked without first/last, or with a page over the maximum.
	CodePageSize = "PAGE_SIZE"
	// CodeQueryTooLarge: the document has too many tokens or repeated fields.
	CodeQueryTooLarge = "QUERY_TOO_LARGE"
	// CodeIntrospectionDisabled: __schema or __type while introspection is off for the viewer.
	CodeIntrospectionDisabled = "INTROSPECTION_DISABLED"
	// CodeGraphQLParseFailed: the document is not valid GraphQL syntax (gqlgen's code).
	CodeGraphQLParseFailed = "GRAPHQL_PARSE_FAILED"
	// CodeGraphQLValidationFailed: the document does not match the schema (gqlgen's code).
	CodeGraphQLValidationFailed = "GRAPHQL_VALIDATION_FAILED"
	// CodePersistedQueryNotFound: an automatic persisted query's hash is not (any more) known;
	// send the query with it (gqlgen's code).
	CodePersistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"
	// CodeCursorTooOld: a roster change cursor older than the oldest change the feed keeps;
	// read the roster in full once, then follow the feed from School.rosterPosition.
	CodeCursorTooOld = "CURSOR_TOO_OLD"
	// CodeRateLimited: the API token used its budget of operations or complexity points for
	// this minute (internal/ratelimit); retry after Retry-After seconds.
	CodeRateLimited = "RATE_LIMITED"

	// CodeFileRejected: an uploaded file cannot be imported (see extensions.reason, problems).
	CodeFileRejected = "FILE_REJECTED"
	// CodeRosterSetRejected: an uploaded roster set (SDS, OneRoster) cannot be read as a whole
	// (see extensions.setCode, file, line, problems); no job was made.
	CodeRosterSetRejected = "ROSTER_SET_REJECTED"
	// CodeMappingInvalid: the column mapping leaves a required field unmapped or is malformed.
	CodeMappingInvalid = "MAPPING_INVALID"
	// CodeArchiveConfirmRequired: the import archives a large share of the pupils; confirm the number.
	CodeArchiveConfirmRequired = "ARCHIVE_CONFIRMATION_REQUIRED"
	// CodeYearDownConfirmRequired: the import moves many pupils back a leerjaar; confirm the number.
	CodeYearDownConfirmRequired = "YEAR_DOWN_CONFIRMATION_REQUIRED"
	// CodeStalePreview: the school's accounts changed since the preview.
	CodeStalePreview = "STALE_PREVIEW"
	// CodeUndoConflict: accounts changed after the import that is to be undone.
	CodeUndoConflict = "UNDO_CONFLICT"

	// CodeSSOUnavailable: the school has no single sign-on, or it is switched off.
	CodeSSOUnavailable = "SSO_UNAVAILABLE"
	// CodeSSOExpired: a single sign-on took too long, was already finished, or came back to
	// another browser than the one that started it.
	CodeSSOExpired = "SSO_EXPIRED"
	// CodeSSODenied: the provider did not sign the person in (cancelled or refused there).
	CodeSSODenied = "SSO_DENIED"
	// CodeSSOFailed: the provider's answer could not be verified, or the provider could not be reached.
	CodeSSOFailed = "SSO_FAILED"
	// CodeSSONoAccount: no active account of the school matches the provider's identity.
	CodeSSONoAccount = "SSO_NO_ACCOUNT"
	// CodeSSOArchived: the account the provider's identity matches is archived.
	CodeSSOArchived = "SSO_ARCHIVED"
)

// ProblemTooLarge is FILE_REJECTED's extensions.reason for a file over the upload limit; the
// other reasons are the importer's file-level problem codes (internal/importer/problem.go).
const ProblemTooLarge = "too_large"

// Refusals whose text is fixed. They are shared values: never change their extensions.
var (
	// ErrUnauthenticated means nobody is signed in (or the session or token is no longer valid).
	ErrUnauthenticated = New(CodeUnauthenticated, "Log eerst in.", "Sign in first.", nil)
	// ErrForbidden means the viewer may not do this.
	ErrForbidden = New(CodeForbidden, "Dat mag u niet met dit account.", "This account may not do that.", nil)
	// ErrInternal is the one answer to anything unexpected; the details go to the server's log.
	ErrInternal = New(CodeInternal, "interne fout; probeer het later opnieuw",
		"internal error; try again later", nil)
	// ErrCanceled means the request ended before its answer was ready.
	ErrCanceled = New(CodeCanceled, "de aanvraag is afgebroken", "the request was canceled", nil)
	// ErrConflict means the change clashes with existing data.
	ErrConflict = New(CodeConflict, "dit botst met bestaande gegevens", "this clashes with existing data", nil)
	// ErrSessionEnded refuses an operation on a websocket whose sign-in has ended or was revoked.
	ErrSessionEnded = New(CodeUnauthenticated, "Uw aanmelding is verlopen of ingetrokken; meld u opnieuw aan.",
		"Your sign-in has ended or was revoked; sign in again.", nil)
	// ErrUnknownToken refuses a request whose API token is unknown or revoked.
	ErrUnknownToken = New(CodeUnauthenticated, "Deze API-sleutel is onbekend of ingetrokken.",
		"This API token is unknown or revoked.", nil)
	// ErrCSRF refuses a cookie-borne write that does not come from Numo's app.
	ErrCSRF = New(CodeCSRF, "Dit verzoek komt niet van de app van Numo en is geweigerd.",
		"This request does not come from Numo's app and was refused.", nil)
	// ErrBadLogin is the one answer to a wrong username or password (no hint which).
	ErrBadLogin = New(CodeBadLogin, "Onjuiste gebruikersnaam of wachtwoord.", "Wrong username or password.", nil)
	// ErrLocked means too many failed attempts: wait a while.
	ErrLocked = New(CodeLocked, "Te veel mislukte pogingen. Probeer het over een kwartier opnieuw.",
		"Too many failed attempts. Try again in a quarter of an hour.", nil)
	// ErrStartCodeExpired means the start code is right but too old: the pupil needs a new letter.
	ErrStartCodeExpired = New(CodeStartCodeExpired,
		"Deze startcode is verlopen. Vraag je mentor of de beheerder van je school om een nieuwe inlogbrief.",
		"This start code has expired. Ask your mentor or your school's administrator for a new login letter.", nil)
	// ErrLettersGone refuses a download of login letters that is unknown, taken or expired.
	ErrLettersGone = New(CodeLettersGone,
		"Deze inlogbrieven zijn niet (meer) te downloaden: elke download werkt één keer, een half uur lang, "+
			"en alleen voor wie ze maakte. Maak de inlogbrieven opnieuw; de codes van de vorige keer werken dan niet meer.",
		"These login letters cannot be downloaded (any more): each download works once, for half an hour, and only "+
			"for whoever made them. Make the letters again; the codes of the previous time then stop working.", nil)
	// ErrSchoolRequired means the installation has several schools and the sign-in named none.
	ErrSchoolRequired = New(CodeSchoolRequired, "Vul ook de BRIN-code van uw school in.",
		"Also enter your school's BRIN code.", nil)
	// ErrBusy means no password hash slot came free in time: try again in a moment.
	ErrBusy = New(CodeBusy, "Het is nu erg druk. Probeer het over een paar seconden opnieuw.",
		"The server is very busy right now. Try again in a few seconds.", nil)
	// ErrPasswordChangeRequired refuses everything but changing the password, the viewer and
	// logging out to an account that signed in with a one-time password.
	ErrPasswordChangeRequired = New(CodePasswordChangeRequired,
		"Kies eerst een nieuw wachtwoord: u bent ingelogd met een eenmalig wachtwoord.",
		"Choose a new password first: you signed in with a one-time password.", nil)
	// ErrUnknownRoute answers a path under /api/ that does not exist.
	ErrUnknownRoute = New(CodeNotFound, "Deze route bestaat niet.", "This route does not exist.", nil)
	// ErrLoginNotJSON refuses a sign-in whose body is not JSON.
	ErrLoginNotJSON = New(CodeBadRequest, "Stuur de inloggegevens als JSON.", "Send the sign-in details as JSON.", nil)
	// ErrBadRequest refuses a request body that cannot be read.
	ErrBadRequest = New(CodeBadRequest, "Ongeldig verzoek.", "Invalid request.", nil)
	// ErrNoQuery refuses a GraphQL request without a document.
	ErrNoQuery = New(CodeBadRequest, "Dit verzoek bevat geen GraphQL-document (query).",
		"This request carries no GraphQL document (query).", nil)
	// ErrMutationByGET refuses a mutation or subscription sent with GET.
	ErrMutationByGET = New(CodeMethodNotAllowed, "Met GET kan alleen een query; stuur een mutation met POST.",
		"GET can only run a query; send a mutation with POST.", nil)
)

// New returns a refusal: nl is shown to the admin, en goes into extensions.messageEn.
func New(code, nl, en string, ext map[string]any) *Error {
	if ext == nil {
		ext = map[string]any{}
	}
	ext["messageEn"] = en
	return &Error{code: code, message: nl, ext: ext}
}

// NotFound refuses an object the viewer cannot see: "<wat> <id> niet gevonden" in Dutch,
// "<what> <id> not found" in English.
func NotFound(what, wat string, id int) *Error {
	return New(CodeNotFound, wat+" "+itoa(id)+" niet gevonden", what+" "+itoa(id)+" not found", nil)
}

// TooLarge refuses a request body over limit bytes (HTTP 413).
func TooLarge(limit int64) *Error {
	return New(CodeTooLarge, "Dit verzoek is te groot: hoogstens "+Size(limit)+".",
		"This request is too large: at most "+Size(limit)+".", map[string]any{"limit": limit})
}

func (e *Error) Error() string { return e.message }

// Code is the stable machine-readable code.
func (e *Error) Code() string { return e.code }

// Extensions are the extra fields for the client, messageEn among them.
func (e *Error) Extensions() map[string]any { return e.ext }

// MessageEn is the English message.
func (e *Error) MessageEn() string { s, _ := e.ext["messageEn"].(string); return s }

// WireExtensions is a fresh copy of what goes into extensions: code and the extra fields.
func (e *Error) WireExtensions() map[string]any {
	x := make(map[string]any, len(e.ext)+1)
	maps.Copy(x, e.ext)
	x["code"] = e.code
	return x
}

// As finds the *Error in err's chain; anything else is ErrInternal.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return ErrInternal
}

// Body is the JSON of a GraphQL error response carrying e alone:
// {"errors":[{"message":…,"extensions":{"code":…,"messageEn":…,…}}]}.
func Body(e *Error) []byte {
	b, err := json.Marshal(map[string]any{"errors": []any{map[string]any{"message": e.message, "extensions": e.WireExtensions()}}})
	if err != nil { // an extension that JSON cannot encode: a bug, answered generically
		return Body(ErrInternal)
	}
	return append(b, '\n')
}

// Write is the one way an HTTP handler answers a refusal: status and the JSON of a GraphQL
// error response, not cached. err that is not an *Error is answered as ErrInternal (log it
// first).
func Write(w http.ResponseWriter, status int, err error) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(Body(As(err)))
}
