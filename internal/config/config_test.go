package config_test

import (
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/numo/accounts/internal/config"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    func(*config.Config)
		wantErr string
	}{
		{name: "defaults", want: func(c *config.Config) {}},
		{
			name: "env",
			env:  map[string]string{"NUMO_ADDR": "127.0.0.1:9000", "NUMO_DATABASE_URL": "postgres://u@h/db", "NUMO_DEMO": "false", "NUMO_CORS_ORIGINS": "https://a.nl, http://localhost:5173/"},
			want: func(c *config.Config) {
				c.Addr = "127.0.0.1:9000"
				c.DatabaseURL = "postgres://u@h/db"
				c.Demo = false
				c.AllowedOrigins = []string{"https://a.nl", "http://localhost:5173"}
			},
		},
		{
			name: "flags beat env",
			args: []string{"--addr", ":7000", "--max-upload-mb", "5", "--log-format", "json"},
			env:  map[string]string{"NUMO_ADDR": ":9000"},
			want: func(c *config.Config) { c.Addr = ":7000"; c.MaxUploadBytes = 5 << 20; c.LogFormat = "json" },
		},
		{
			name: "trusted proxies",
			env:  map[string]string{"NUMO_TRUSTED_PROXIES": "10.0.0.1, 172.16.0.0/12,fd00::/8"},
			want: func(c *config.Config) {
				c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.1/32"), netip.MustParsePrefix("172.16.0.0/12"), netip.MustParsePrefix("fd00::/8")}
			},
		},
		{
			name: "trusted proxies flag beats env",
			args: []string{"--trusted-proxies", "127.0.0.1"},
			env:  map[string]string{"NUMO_TRUSTED_PROXIES": "10.0.0.1"},
			want: func(c *config.Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} },
		},
		{name: "connection budget", env: map[string]string{"NUMO_DB_MAX_CONNS": "20"}, want: func(c *config.Config) { c.DBMaxConns = 20 }},
		{name: "connection budget too small", args: []string{"--db-max-conns", "3"}, wantErr: "db-max-conns"},
		{name: "bad trusted proxy", env: map[string]string{"NUMO_TRUSTED_PROXIES": "10.0.0.1, proxy.example"}, wantErr: "trusted-proxies"},
		{name: "bad trusted range", args: []string{"--trusted-proxies", "10.0.0.0/33"}, wantErr: "trusted-proxies"},
		{name: "rate limits", env: map[string]string{"NUMO_RATE_LIMIT_REQUESTS": "0"}, args: []string{"--rate-limit-points", "600000"},
			want: func(c *config.Config) { c.RateRequests, c.RatePoints = 0, 600_000 }},
		{name: "points under the complexity limit", env: map[string]string{"NUMO_RATE_LIMIT_POINTS": "1000"}, wantErr: "rate-limit-points"},
		{name: "bad rate", args: []string{"--rate-limit-requests", "-1"}, wantErr: "rate-limit-requests"},
		{name: "feed retention", env: map[string]string{"NUMO_FEED_KEEP_DAYS": "30"}, want: func(c *config.Config) { c.FeedKeepDays = 30 }},
		{name: "bad feed retention", args: []string{"--feed-keep-days", "0"}, wantErr: "feed-keep-days"},
		{name: "bad addr", args: []string{"--addr", "nope"}, wantErr: "addr"},
		{name: "bad origin", env: map[string]string{"NUMO_CORS_ORIGINS": "ftp://x"}, wantErr: "cors-origins"},
		{name: "bad upload", args: []string{"--max-upload-mb", "0"}, wantErr: "max-upload-mb"},
		{name: "bad bool", env: map[string]string{"NUMO_DEMO": "misschien"}, wantErr: "demo"},
		{name: "bad level", args: []string{"--log-level", "loud"}, wantErr: "log-level"},
		{name: "bad duration", args: []string{"--shutdown-timeout", "-1s"}, wantErr: "shutdown-timeout"},
		{name: "unknown flag", args: []string{"--nope"}, wantErr: "nope"},
		{name: "stray argument", args: []string{"extra"}, wantErr: "extra"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := config.Load(tt.args, func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load() error = %v, want one about %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load() error = %v", err)
			}
			want := config.Config{
				Addr: ":8080", DatabaseURL: "file:numo.db", Demo: true, MaxUploadBytes: 20 << 20,
				Introspection: true, LogLevel: "info", LogFormat: "text", ShutdownTimeout: 15 * time.Second,
				ComplexityLimit: 500000, CommitDeadAfter: 20 * time.Second, PurgeEvery: time.Hour, FeedKeepDays: 90, DBMaxConns: 64,
				RateRequests: 600, RatePoints: 5_000_000,
			}
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("Load() = %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{in: "", want: nil},
		{in: " , ", want: nil},
		{in: "10.0.0.1", want: []string{"10.0.0.1/32"}},
		{in: "::1", want: []string{"::1/128"}},
		{in: "::ffff:10.0.0.1", want: []string{"10.0.0.1/32"}},                             // an IPv4 address written as IPv6
		{in: "10.1.2.3/16, 2001:db8::/32", want: []string{"10.1.0.0/16", "2001:db8::/32"}}, // ranges are masked
		{in: "::ffff:10.0.0.0/104", want: []string{"10.0.0.0/8"}},
		{in: "localhost", wantErr: true},
		{in: "10.0.0.256", wantErr: true},
		{in: "10.0.0.0/40", wantErr: true},
		{in: "fe80::1%eth0", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := config.ParseTrustedProxies(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseTrustedProxies(%q) = %v, want an error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, p := range got {
				s = append(s, p.String())
			}
			if !reflect.DeepEqual(s, tt.want) {
				t.Fatalf("ParseTrustedProxies(%q) = %v, want %v", tt.in, s, tt.want)
			}
		})
	}
}
