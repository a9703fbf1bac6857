package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

// server answers the API's HTTP requests. Handlers are methods so they share the
// configuration, the process identity and the drain state without globals.
type server struct {
	cfg      config
	log      *logger
	instance string
	hostname string
	started  time.Time
	now      func() time.Time
	task     atomic.Pointer[taskInfo]
	draining atomic.Bool
	// slots holds one token per request being served (cfg.MaxInFlight of them at most).
	slots chan struct{}
	// timeouts bound each connection (defaultTimeouts; tests shorten them).
	timeouts serverTimeouts
}

// newServer returns a server with a fresh instance id and the task identity known from the
// environment; resolveTask may refine the latter from the ECS metadata endpoint.
func newServer(cfg config, log *logger) (*server, error) {
	instance, err := newInstanceID()
	if err != nil {
		return nil, fmt.Errorf("new server: %w", err)
	}
	hostname, err := os.Hostname()
	if err != nil {
		hostname = "unknown"
	}
	if cfg.MaxInFlight < 1 {
		return nil, fmt.Errorf("new server: MaxInFlight must be at least 1, got %d", cfg.MaxInFlight)
	}
	s := &server{
		cfg: cfg, log: log, instance: instance, hostname: hostname, started: time.Now(), now: time.Now,
		slots: make(chan struct{}, cfg.MaxInFlight), timeouts: defaultTimeouts,
	}
	task := taskFromEnv(cfg.TaskID)
	s.task.Store(&task)
	return s, nil
}

// resolveTask asks the ECS task metadata endpoint for the task ARN, if there is one. It runs
// in the background so a slow or missing endpoint never delays serving; on failure the
// identity from the environment stays.
func (s *server) resolveTask(ctx context.Context) {
	if s.cfg.MetadataURI == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.MetadataTimeout)
	defer cancel()
	// The endpoint is link-local: never route it through an HTTP(S)_PROXY from the environment.
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	task, err := fetchTaskMetadata(ctx, client, s.cfg.MetadataURI)
	if err != nil {
		s.log.warn("task identity unavailable, using the environment", kv("error", err), kv("task_source", s.task.Load().Source))
		return
	}
	s.task.Store(&task)
	s.log.info("task identity resolved", kv("task_arn", task.ARN))
}

// routes returns the API's handler: the routes behind the in-flight limit, wrapped in request
// logging (so shed requests are logged with their 503 too).
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", s.handleHealthz)
	mux.HandleFunc("/readyz", s.handleReadyz)
	mux.HandleFunc("/api/status", s.handleStatus)
	mux.HandleFunc("/api/posts", s.handlePosts)
	mux.HandleFunc("/", s.handleNotFound)
	return s.logRequests(s.limitInFlight(mux))
}

// limitInFlight serves at most cap(s.slots) requests at once and answers the next ones at once
// with 503 and Retry-After, rather than queueing them without bound: under a flood, memory and
// latency stay bounded and the callers (the proxy, a client's retry) learn to come back. The
// liveness and readiness probes are never shed: a busy API whose health check failed would be
// restarted by the orchestrator, which is the crash this limit exists to prevent.
func (s *server) limitInFlight(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case s.slots <- struct{}{}:
			defer func() { <-s.slots }()
			next.ServeHTTP(w, r)
		default:
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": "overloaded", "maxInFlight": cap(s.slots)})
		}
	})
}

// handleHealthz answers liveness: the process serves HTTP. It checks no dependency, so a
// draining process stays live until it exits and is not restarted mid-drain.
func (s *server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	if !allowRead(w, r) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz answers readiness: 503 from the moment the process starts draining.
func (s *server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	if !allowRead(w, r) {
		return
	}
	if s.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// statusResponse is the body of GET /api/status.
type statusResponse struct {
	Service       string    `json:"service"`
	Version       string    `json:"version"`
	Instance      string    `json:"instance"`
	Hostname      string    `json:"hostname"`
	Task          taskInfo  `json:"task"`
	StartedAt     time.Time `json:"startedAt"`
	UptimeSeconds float64   `json:"uptimeSeconds"`
	Draining      bool      `json:"draining"`
}

// handleStatus tells which process and task answer and for how long they have been up.
func (s *server) handleStatus(w http.ResponseWriter, r *http.Request) {
	if !allowRead(w, r) {
		return
	}
	uptime := s.now().Sub(s.started).Seconds()
	writeJSON(w, http.StatusOK, statusResponse{
		Service:       "api",
		Version:       s.cfg.Version,
		Instance:      s.instance,
		Hostname:      s.hostname,
		Task:          *s.task.Load(),
		StartedAt:     s.started.UTC(),
		UptimeSeconds: math.Round(uptime*1000) / 1000,
		Draining:      s.draining.Load(),
	})
}

// postsResponse is the body of GET /api/posts.
type postsResponse struct {
	Posts []post `json:"posts"`
}

// handlePosts lists the fixed posts.
func (s *server) handlePosts(w http.ResponseWriter, r *http.Request) {
	if !allowRead(w, r) {
		return
	}
	writeJSON(w, http.StatusOK, postsResponse{Posts: posts})
}

// handleNotFound answers every other path with a JSON 404.
func (s *server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found", "path": r.URL.Path})
}

// allowRead lets GET and HEAD through and answers anything else with 405 and an Allow header.
func allowRead(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed", "method": r.Method})
	return false
}

// writeJSON writes v as the JSON body. Every answer describes the process at that moment,
// so none may be cached.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// logRequests logs one line per request with method, path, status and duration.
func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		s.log.info("request",
			kv("method", r.Method),
			kv("path", r.URL.Path),
			kv("status", rec.status),
			kv("duration_ms", math.Round(float64(time.Since(start).Microseconds()))/1000),
			kv("bytes", rec.bytes),
			kv("remote", r.RemoteAddr),
		)
	})
}

// statusRecorder remembers the status and size of a response for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status      int
	bytes       int
	wroteHeader bool
}

// WriteHeader records the status before passing it on.
func (r *statusRecorder) WriteHeader(status int) {
	if !r.wroteHeader {
		r.status = status
		r.wroteHeader = true
	}
	r.ResponseWriter.WriteHeader(status)
}

// Write counts the body bytes.
func (r *statusRecorder) Write(p []byte) (int, error) {
	r.wroteHeader = true
	n, err := r.ResponseWriter.Write(p)
	r.bytes += n
	return n, err
}
