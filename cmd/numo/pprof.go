package main

import (
	"log/slog"
	"net/http"
	"net/http/pprof"
	"time"
)

// startPprof serves net/http/pprof at addr (NUMO_DEBUG_PPROF, e.g. 127.0.0.1:6060) for
// profiling a running server; off unless set. It has no authentication: bind it to loopback.
func startPprof(addr string, log *slog.Logger) {
	if addr == "" {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		log.Warn("pprof listening (NUMO_DEBUG_PPROF)", "addr", addr)
		if err := srv.ListenAndServe(); err != nil {
			log.Error("pprof", "err", err)
		}
	}()
}
