package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestTaskIDFromARN(t *testing.T) {
	tests := []struct{ arn, want string }{
		{"arn:aws:ecs:eu-west-1:123456789012:task/platform/0f1e2d3c4b5a69788796a5b4c3d2e1f0", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"},
		{"arn:aws:ecs:eu-west-1:123456789012:task/3a1d2c3b-old-format", "3a1d2c3b-old-format"},
		{"plain-id", "plain-id"},
	}
	for _, tt := range tests {
		if got := taskIDFromARN(tt.arn); got != tt.want {
			t.Errorf("taskIDFromARN(%q) = %q, want %q", tt.arn, got, tt.want)
		}
	}
}

func TestTaskFromEnv(t *testing.T) {
	if got := taskFromEnv(""); got != (taskInfo{Source: sourceUnknown}) {
		t.Errorf("no TASK_ID: got %+v", got)
	}
	if got := taskFromEnv("abc"); got != (taskInfo{Source: sourceEnv, ID: "abc"}) {
		t.Errorf("TASK_ID=abc: got %+v", got)
	}
}

func TestFetchTaskMetadata(t *testing.T) {
	const arn = "arn:aws:ecs:eu-west-1:123456789012:task/platform/abcdef0123456789"
	md := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v4/container-1/task" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"Cluster":"platform","TaskARN":"` + arn + `","Family":"api","Revision":"7","KnownStatus":"RUNNING"}`))
	}))
	defer md.Close()

	got, err := fetchTaskMetadata(context.Background(), md.Client(), md.URL+"/v4/container-1")
	if err != nil {
		t.Fatalf("fetchTaskMetadata: %v", err)
	}
	want := taskInfo{Source: sourceECSMetadata, ARN: arn, ID: "abcdef0123456789", Cluster: "platform", Family: "api", Revision: "7"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestFetchTaskMetadataFailures(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"server error", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) }, "status 500"},
		{"not JSON", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>")) }, "decode"},
		{"no ARN", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"Cluster":"x"}`)) }, "no TaskARN"},
		{"too slow", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		}, "deadline exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md := httptest.NewServer(tt.handler)
			defer md.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			_, err := fetchTaskMetadata(ctx, md.Client(), md.URL)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestResolveTaskFallsBackToEnv(t *testing.T) {
	cfg := testConfig()
	cfg.TaskID = "from-env"
	cfg.MetadataURI = "http://127.0.0.1:1/v4/none" // nothing listens on port 1
	s, logs := newTestServer(t, cfg)
	s.resolveTask(context.Background())
	if got := *s.task.Load(); got != (taskInfo{Source: sourceEnv, ID: "from-env"}) {
		t.Errorf("task: got %+v", got)
	}
	lines := logs.lines(t)
	if len(lines) != 1 || lines[0]["level"] != "warn" {
		t.Errorf("want one warning, got %v", lines)
	}
}

func TestNewInstanceIDIsRandomHex(t *testing.T) {
	a, errA := newInstanceID()
	b, errB := newInstanceID()
	if errA != nil || errB != nil {
		t.Fatalf("newInstanceID: %v %v", errA, errB)
	}
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(a) || a == b {
		t.Errorf("want two different 16-hex-digit ids, got %q and %q", a, b)
	}
}
