package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"
)

// get sends one request through the server's routes.
func get(t *testing.T, h http.Handler, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}

func TestRoutes(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	h := s.routes()
	tests := []struct {
		method, path string
		status       int
		body         string
		allow        string
	}{
		{"GET", "/healthz", 200, `{"status":"ok"}`, ""},
		{"HEAD", "/healthz", 200, "", ""},
		{"GET", "/readyz", 200, `{"status":"ready"}`, ""},
		{"POST", "/healthz", 405, `{"error":"method not allowed","method":"POST"}`, "GET, HEAD"},
		{"DELETE", "/api/posts", 405, `{"error":"method not allowed","method":"DELETE"}`, "GET, HEAD"},
		{"PUT", "/api/status", 405, `{"error":"method not allowed","method":"PUT"}`, "GET, HEAD"},
		{"GET", "/api/nothing", 404, `{"error":"not found","path":"/api/nothing"}`, ""},
		{"GET", "/", 404, `{"error":"not found","path":"/"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := get(t, h, tt.method, tt.path)
			if rec.Code != tt.status {
				t.Errorf("status: got %d, want %d", rec.Code, tt.status)
			}
			if tt.body != "" && rec.Body.String() != tt.body+"\n" {
				t.Errorf("body: got %q, want %q", rec.Body.String(), tt.body)
			}
			if got := rec.Header().Get("Allow"); got != tt.allow {
				t.Errorf("Allow: got %q, want %q", got, tt.allow)
			}
			if got := rec.Header().Get("Content-Type"); got != "application/json; charset=utf-8" {
				t.Errorf("Content-Type: got %q", got)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control: got %q", got)
			}
		})
	}
}

func TestReadyzTurnsUnavailableWhenDraining(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	s.draining.Store(true)
	rec := get(t, s.routes(), "GET", "/readyz")
	if rec.Code != http.StatusServiceUnavailable || rec.Body.String() != `{"status":"draining"}`+"\n" {
		t.Errorf("got %d %q", rec.Code, rec.Body.String())
	}
	if rec := get(t, s.routes(), "GET", "/healthz"); rec.Code != http.StatusOK {
		t.Errorf("liveness must stay 200 while draining, got %d", rec.Code)
	}
}

func TestStatusTellsWhoAnswers(t *testing.T) {
	cfg := testConfig()
	cfg.Version = "1.2.3"
	cfg.TaskID = "task-42"
	s, _ := newTestServer(t, cfg)
	s.started = time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return s.started.Add(90*time.Second + 1500*time.Microsecond) }

	rec := get(t, s.routes(), "GET", "/api/status")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	var got statusResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("decode: %v", err)
	}
	want := statusResponse{
		Service: "api", Version: "1.2.3", Instance: s.instance, Hostname: s.hostname,
		Task:      taskInfo{Source: sourceEnv, ID: "task-42"},
		StartedAt: s.started, UptimeSeconds: 90.002, Draining: false,
	}
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(got.Instance) {
		t.Errorf("instance %q is not 16 hex digits", got.Instance)
	}
}

func TestPostsListsTheFixedPosts(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	rec := get(t, s.routes(), "GET", "/api/posts")
	var got postsResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if rec.Code != http.StatusOK || len(got.Posts) != len(posts) || got.Posts[0] != posts[0] {
		t.Errorf("got %d %+v", rec.Code, got)
	}
	for _, p := range got.Posts {
		if p.ID == 0 || p.Title == "" || p.Summary == "" || p.PublishedAt == "" {
			t.Errorf("incomplete post %+v", p)
		}
	}
}

func TestEveryRequestIsLogged(t *testing.T) {
	s, logs := newTestServer(t, testConfig())
	get(t, s.routes(), "GET", "/api/posts")
	get(t, s.routes(), "POST", "/api/status")

	lines := logs.lines(t)
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %v", lines)
	}
	for i, want := range []struct {
		method, path string
		status       float64
	}{{"GET", "/api/posts", 200}, {"POST", "/api/status", 405}} {
		l := lines[i]
		if l["msg"] != "request" || l["level"] != "info" || l["method"] != want.method || l["path"] != want.path || l["status"] != want.status {
			t.Errorf("line %d: got %v", i, l)
		}
		if _, ok := l["duration_ms"].(float64); !ok {
			t.Errorf("line %d: duration_ms missing: %v", i, l)
		}
		if _, err := time.Parse(time.RFC3339Nano, l["time"].(string)); err != nil {
			t.Errorf("line %d: time: %v", i, err)
		}
	}
}
