package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthcheckCommand(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer up.Close()
	port := up.URL[strings.LastIndex(up.URL, ":")+1:]

	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		code   int
		stderr string
	}{
		{"default url on $PORT", []string{"healthcheck"}, map[string]string{"PORT": port}, 0, ""},
		{"explicit url", []string{"healthcheck", up.URL + "/healthz"}, nil, 0, ""},
		{"non-2xx", []string{"healthcheck", up.URL + "/readyz"}, nil, 1, "status 503"},
		{"nothing listening", []string{"healthcheck", "http://127.0.0.1:1/healthz"}, nil, 1, "connection refused"},
		{"too many args", []string{"healthcheck", "a", "b"}, nil, 1, "usage"},
		{"unknown command", []string{"serve"}, nil, 2, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := realMain(context.Background(), tt.args, envOf(tt.env), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit code: got %d, want %d (stderr %q)", code, tt.code, stderr.String())
			}
			if tt.stderr == "" && stderr.Len() != 0 || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr: got %q, want it to contain %q", stderr.String(), tt.stderr)
			}
			if n := strings.Count(stderr.String(), "\n"); n > 1 {
				t.Errorf("stderr should be one line, got %d", n)
			}
		})
	}
}

func TestDefaultHealthURL(t *testing.T) {
	if got := defaultHealthURL(envOf(nil)); got != "http://127.0.0.1:8080/healthz" {
		t.Errorf("got %q", got)
	}
}

func TestInvalidConfigurationExitsWithUsageCode(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := realMain(context.Background(), nil, envOf(map[string]string{"PORT": "eighty"}), &stdout, &stderr)
	if code != 2 || !strings.Contains(stdout.String(), `"level":"error","msg":"invalid configuration","error":"PORT must be`) {
		t.Errorf("got %d, stdout %q", code, stdout.String())
	}
}

func TestVersionCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := realMain(context.Background(), []string{"version"}, envOf(nil), &stdout, &stderr); code != 0 || stdout.String() != version+"\n" {
		t.Errorf("got %d %q", code, stdout.String())
	}
}
