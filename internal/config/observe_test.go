package config_test

import (
	"errors"
	"testing"

	"github.com/numo/accounts/internal/config"
)

// TestObservabilitySettings: metrics and traces are off by default; NUMO_METRICS_ADDR,
// NUMO_METRICS_TOKEN (environment only, 16 characters at least) and NUMO_OTLP_ENDPOINT or the
// standard OTEL_EXPORTER_OTLP_* variables turn them on; bad values are refused.
func TestObservabilitySettings(t *testing.T) {
	for _, c := range []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(config.Config) bool
		invalid bool
	}{
		{"defaults", nil, nil, func(c config.Config) bool { return c.MetricsAddr == "" && c.MetricsToken == "" && !c.Tracing }, false},
		{"metrics address", []string{"--metrics-addr", "127.0.0.1:9090"}, nil, func(c config.Config) bool { return c.MetricsAddr == "127.0.0.1:9090" }, false},
		{"metrics address from env", nil, map[string]string{"NUMO_METRICS_ADDR": "127.0.0.1:0"}, func(c config.Config) bool { return c.MetricsAddr == "127.0.0.1:0" }, false},
		{"metrics token", nil, map[string]string{"NUMO_METRICS_TOKEN": " 0123456789abcdef "}, func(c config.Config) bool { return c.MetricsToken == "0123456789abcdef" }, false},
		{"short metrics token", nil, map[string]string{"NUMO_METRICS_TOKEN": "short"}, nil, true},
		{"no token flag", []string{"--metrics-token", "0123456789abcdef"}, nil, nil, true},
		{"bad metrics address", []string{"--metrics-addr", "9090"}, nil, nil, true},
		{"otlp endpoint", []string{"--otlp-endpoint", "http://127.0.0.1:4318"}, nil, func(c config.Config) bool { return c.Tracing && c.OTLPEndpoint == "http://127.0.0.1:4318" }, false},
		{"standard endpoint", nil, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, func(c config.Config) bool { return c.Tracing && c.OTLPEndpoint == "" }, false},
		{"standard traces endpoint", nil, map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, func(c config.Config) bool { return c.Tracing }, false},
		{"bad otlp endpoint", nil, map[string]string{"NUMO_OTLP_ENDPOINT": "collector:4318"}, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := config.Load(c.args, func(k string) string { return c.env[k] })
			if c.invalid {
				if !errors.Is(err, config.ErrInvalid) {
					t.Fatalf("want ErrInvalid, got %v", err)
				}
				return
			}
			if err != nil || !c.check(cfg) {
				t.Fatalf("%v %+v", err, cfg)
			}
		})
	}
}
