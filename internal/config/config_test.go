package config_test

import (
	"errors"
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
				ComplexityLimit: 2000, CommitDeadAfter: 20 * time.Second, PurgeEvery: time.Hour,
			}
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("Load() = %+v\nwant %+v", got, want)
			}
		})
	}
}
