package graph_test

// What the API tests share: HTTP round trips to a test server or straight to the handler,
// sign-in, GraphQL multipart uploads and graphql-transport-ws subscriptions.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// gqlResult is a GraphQL answer read as JSON.
type gqlResult struct {
	Data   map[string]any
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

// authError reports whether the response was refused for who asked.
func (r gqlResult) authError() bool {
	for _, e := range r.Errors {
		switch e.Extensions["code"] {
		case "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND":
			return true
		}
	}
	return false
}

// code is the extensions.code of the first error ("" without errors).
func (r gqlResult) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// refused is the answer of a websocket the server would not open: UNAUTHENTICATED.
func refused(err error) gqlResult {
	r := gqlResult{}
	r.Errors = append(r.Errors, struct {
		Message    string
		Extensions map[string]any
	}{Message: err.Error(), Extensions: map[string]any{"code": "UNAUTHENTICATED"}})
	return r
}

// fetch sends req over the network and answers its status, headers and whole body; a failed
// round trip ends the test.
func fetch(t testing.TB, req *http.Request) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, body
}

// decodeResult reads a GraphQL answer; a body that is not JSON ends the test.
func decodeResult(t testing.TB, status int, body []byte) gqlResult {
	t.Helper()
	var r gqlResult
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("status %d: %.300s", status, body)
	}
	return r
}

// signIn posts a password sign-in to base's /api/login and answers its status, its JSON body
// and the session cookie ("" when none was set).
func signIn(t testing.TB, base, school, user, pw string) (int, map[string]any, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"school": school, "username": user, "password": pw})
	resp, err := http.Post(base+"/api/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	for _, c := range resp.Cookies() {
		if c.Name == "numo_session" && c.Value != "" {
			return resp.StatusCode, out, c.Name + "=" + c.Value
		}
	}
	return resp.StatusCode, out, ""
}

// formFile is one file of a multipart upload.
type formFile struct {
	name    string
	content []byte
}

// uploadForm is a GraphQL multipart request to target (the upload spec): the operations, the
// map of parts to variables, and the files as parts "0", "1", … in order. The file names go
// into the parts as they are, unescaped, the way a hostile client can send them. A target
// that is a path ("/query") makes a request for the handler itself, a URL one for the network.
func uploadForm(target, operations, fileMap string, files ...formFile) *http.Request {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("operations", operations)
	mw.WriteField("map", fileMap)
	for i, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%d"; filename="%s"`, i, f.name))
		h.Set("Content-Type", "text/csv")
		fw, _ := mw.CreatePart(h)
		fw.Write(f.content)
	}
	mw.Close()
	var req *http.Request
	if strings.HasPrefix(target, "/") {
		req = httptest.NewRequest(http.MethodPost, target, &buf)
	} else {
		req, _ = http.NewRequest(http.MethodPost, target, &buf)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

// serve sends req straight to the handler as the API token and answers the recording.
func (a *api) serve(req *http.Request) *httptest.ResponseRecorder {
	req.Header.Set("Authorization", "Bearer "+a.token)
	rec := httptest.NewRecorder()
	a.app.Handler().ServeHTTP(rec, req)
	return rec
}

// serveJSON is serve for a JSON answer, decoded into out; a body that is not JSON ends the test.
func (a *api) serveJSON(req *http.Request, out any) {
	a.t.Helper()
	rec := a.serve(req)
	if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
		a.t.Fatalf("status %d: %.300s", rec.Code, rec.Body.String())
	}
}

// getAs gets path straight from the handler as the API token, with the headers given as
// name, value, …
func (a *api) getAs(path string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return a.serve(req)
}

// dialQuery opens a graphql-transport-ws socket on base's /query with the upgrade headers h.
func dialQuery(ctx context.Context, base string, h http.Header) (*websocket.Conn, error) {
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/query", &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: h})
	return conn, err
}

// subscribeAs opens a socket on base as the caller (credentials in the upgrade request, as a
// browser sends its cookie, without X-Requested-With), waits for the ack and starts the
// subscription; the caller reads it with readMessage.
func subscribeAs(ctx context.Context, base string, c caller, query string, vars map[string]any) (*websocket.Conn, error) {
	h := http.Header{}
	c.header(h)
	h.Del("X-Requested-With")
	conn, err := dialQuery(ctx, base, h)
	if err != nil {
		return nil, err
	}
	write := func(v any) { b, _ := json.Marshal(v); conn.Write(ctx, websocket.MessageText, b) }
	write(map[string]any{"type": "connection_init"})
	conn.Read(ctx) // ack
	payload := map[string]any{"query": query}
	if vars != nil {
		payload["variables"] = vars
	}
	write(map[string]any{"id": "1", "type": "subscribe", "payload": payload})
	return conn, nil
}

// firstMessage subscribes as the caller and answers the first message: its data, its errors,
// or UNAUTHENTICATED when the socket was not opened.
func firstMessage(t *testing.T, base string, c caller, query string, vars map[string]any) gqlResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := subscribeAs(ctx, base, c, query, vars)
	if err != nil {
		return refused(err)
	}
	defer conn.CloseNow()
	return readMessage(t, ctx, conn)
}

// readMessage reads the subscription's next message: a next's data or an error's errors.
func readMessage(t *testing.T, ctx context.Context, conn *websocket.Conn) gqlResult {
	t.Helper()
	_, data, err := conn.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var msg struct {
		Type    string
		Payload json.RawMessage
	}
	json.Unmarshal(data, &msg)
	var r gqlResult
	switch msg.Type {
	case "next":
		json.Unmarshal(msg.Payload, &r)
	case "error":
		json.Unmarshal(msg.Payload, &r.Errors)
	}
	return r
}
