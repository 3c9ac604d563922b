package main

import (
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// startPprof serves net/http/pprof at addr (NUMO_DEBUG_PPROF, e.g. 127.0.0.1:6060) for
// profiling a running server; off unless set. It has no authentication, so it listens only on
// a loopback address (anything else is refused with a log line), and it leaves out
// /debug/pprof/cmdline: the command line may carry the database URL with its password.
func startPprof(addr string, log *slog.Logger) {
	if addr == "" {
		return
	}
	if !loopback(addr) {
		log.Error("pprof not started: NUMO_DEBUG_PPROF must be a loopback address such as 127.0.0.1:6060", "addr", addr)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
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

// loopback reports whether addr (host:port) names a loopback host: localhost or a loopback IP.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
