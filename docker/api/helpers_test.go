package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a log sink that tests may read while the server writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines decodes every log line written so far, failing the test on a line that is not JSON.
func (b *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	text := b.buf.String()
	b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// testConfig is a configuration for tests: loopback, short timeouts.
func testConfig() config {
	return config{
		ListenHost:      "127.0.0.1",
		Port:            defaultPort,
		Version:         "test",
		ShutdownTimeout: 2 * time.Second,
		MetadataTimeout: 500 * time.Millisecond,
		MaxInFlight:     defaultMaxInFlight,
	}
}

// newTestServer returns a server logging into the returned buffer.
func newTestServer(t *testing.T, cfg config) (*server, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	s, err := newServer(cfg, newLogger(logs))
	if err != nil {
		t.Fatalf("newServer: %v", err)
	}
	return s, logs
}
