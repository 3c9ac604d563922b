package httpserver

import (
	"net/http"
	"strings"

	"github.com/klauspost/compress/gzhttp"
)

// compressMinSize is the smallest body compressed on the fly: below about one packet the
// encoding's header and the CPU cost more than they save.
const compressMinSize = 1024

// compressed compresses the API's responses on the fly (GraphQL and JSON answers, the report
// download) with zstd or gzip, whichever the client asks for (zstd when both), through
// klauspost/compress's gzhttp: a maintained handler that negotiates Accept-Encoding with
// q-values, sets Vary, holds back bodies under MinSize, leaves alone a response that has a
// Content-Encoding already or is a range, keeps Flush (streamed answers), and whose encoders
// are faster than the standard library's. Websocket upgrades pass by untouched: the socket is
// the handler's, not a response body.
func compressed(next http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(compressMinSize))
	if err != nil {
		panic(err) // the options are constants: only a programming error fails here
	}
	zipped := wrap(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			next.ServeHTTP(w, r)
			return
		}
		zipped.ServeHTTP(w, r)
	})
}
