package main

import (
	"strings"
	"testing"
	"time"
)

// envOf returns a getenv reading from m.
func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := loadConfig(envOf(nil))
	if err != nil {
		t.Fatalf("loadConfig: %v", err)
	}
	if cfg.Port != 8080 || cfg.ShutdownTimeout != 5*time.Second || cfg.DrainDelay != 0 ||
		cfg.MetadataTimeout != time.Second || cfg.Version != version || cfg.addr() != ":8080" || cfg.MaxInFlight != 128 {
		t.Errorf("defaults: got %+v", cfg)
	}
}

func TestLoadConfigOverrides(t *testing.T) {
	cfg, err := loadConfig(envOf(map[string]string{
		"LISTEN_HOST":                   "127.0.0.1",
		"PORT":                          "9090",
		"VERSION":                       "1.2.3",
		"SHUTDOWN_TIMEOUT":              "250ms",
		"DRAIN_DELAY":                   "1.5",
		"METADATA_TIMEOUT":              "2s",
		"TASK_ID":                       "task-1",
		"ECS_CONTAINER_METADATA_URI_V4": "http://169.254.170.2/v4/abc",
		"MAX_IN_FLIGHT":                 "16",
	}))
	if err != nil {
		t.Fatalf("loadConfig: %v", err)
	}
	want := config{
		ListenHost: "127.0.0.1", Port: 9090, Version: "1.2.3",
		ShutdownTimeout: 250 * time.Millisecond, DrainDelay: 1500 * time.Millisecond,
		MetadataTimeout: 2 * time.Second, TaskID: "task-1", MetadataURI: "http://169.254.170.2/v4/abc",
		MaxInFlight: 16,
	}
	if cfg != want {
		t.Errorf("got %+v, want %+v", cfg, want)
	}
	if cfg.addr() != "127.0.0.1:9090" {
		t.Errorf("addr: got %q", cfg.addr())
	}
}

func TestLoadConfigRejects(t *testing.T) {
	tests := []struct {
		name, value string
	}{
		{"PORT", "http"},
		{"PORT", "0"},
		{"PORT", "65536"},
		{"SHUTDOWN_TIMEOUT", "soon"},
		{"SHUTDOWN_TIMEOUT", "-1s"},
		{"DRAIN_DELAY", "-2"},
		{"METADATA_TIMEOUT", "1 second"},
		{"MAX_IN_FLIGHT", "0"},
		{"MAX_IN_FLIGHT", "many"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			_, err := loadConfig(envOf(map[string]string{tt.name: tt.value}))
			if err == nil {
				t.Fatalf("want an error")
			}
			if !strings.Contains(err.Error(), tt.name) || !strings.Contains(err.Error(), tt.value) {
				t.Errorf("error %q should name %s and the value %q", err, tt.name, tt.value)
			}
		})
	}
}
