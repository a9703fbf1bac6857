package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLoggerWritesOrderedJSONLines(t *testing.T) {
	var out bytes.Buffer
	l := newLogger(&out)
	l.now = func() time.Time { return time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC) }
	l.info("request", kv("method", "GET"), kv("status", 200), kv("error", errors.New("a \"quoted\"\nline")))
	l.warn("second")

	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %d: %q", len(lines), out.String())
	}
	want := `{"time":"2024-05-02T10:00:00Z","level":"info","msg":"request","method":"GET","status":200,"error":"a \"quoted\"\nline"}`
	if lines[0] != want {
		t.Errorf("line 1:\n got %s\nwant %s", lines[0], want)
	}
	if !strings.HasPrefix(lines[1], `{"time":"2024-05-02T10:00:00Z","level":"warn","msg":"second"}`) {
		t.Errorf("line 2: %s", lines[1])
	}
}

func TestLoggerStdlogIsJSON(t *testing.T) {
	logs := &syncBuffer{}
	newLogger(logs).stdlog().Printf("http: TLS handshake error from %s", "127.0.0.1:1")
	lines := logs.lines(t)
	if len(lines) != 1 || lines[0]["level"] != "error" || lines[0]["msg"] != "http: TLS handshake error from 127.0.0.1:1" {
		t.Errorf("got %v", lines)
	}
}
