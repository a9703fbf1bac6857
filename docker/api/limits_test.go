package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// getShed returns the status, Retry-After header and decoded JSON body of url.
func getShed(t *testing.T, url string) (int, string, map[string]any) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), body
}

// TestInFlightLimitShedsAtOnce: with MaxInFlight requests being served, the next one is answered
// 503 with Retry-After at once (not queued), the probes still answer, and once a slot is free
// requests are served again.
func TestInFlightLimitShedsAtOnce(t *testing.T) {
	cfg := testConfig()
	cfg.MaxInFlight = 2
	s, _ := newTestServer(t, cfg)
	entered, release := make(chan struct{}, 2), make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", s.handleHealthz)
	mux.HandleFunc("/readyz", s.handleReadyz)
	mux.HandleFunc("/api/status", s.handleStatus)
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
		_, _ = io.WriteString(w, "finished")
	})
	ts := httptest.NewServer(s.limitInFlight(mux))
	defer ts.Close()

	slow := make(chan int, 2)
	for i := 0; i < 2; i++ {
		go func() {
			code, _, _ := getShed(t, ts.URL+"/slow")
			slow <- code
		}()
	}
	<-entered
	<-entered

	start := time.Now()
	code, retryAfter, body := getShed(t, ts.URL+"/api/status")
	if code != http.StatusServiceUnavailable || retryAfter != "1" || body["error"] != "overloaded" || body["maxInFlight"] != float64(2) {
		t.Errorf("third request: got %d, Retry-After %q, %v; want 503, Retry-After 1, overloaded", code, retryAfter, body)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("shedding took %s: it must answer at once, not queue", took)
	}
	for _, probe := range []string{"/healthz", "/readyz"} {
		if code, _, _ := getShed(t, ts.URL+probe); code != http.StatusOK {
			t.Errorf("%s while full: got %d, want 200 (probes are never shed)", probe, code)
		}
	}

	close(release)
	for i := 0; i < 2; i++ {
		if code := <-slow; code != http.StatusOK {
			t.Errorf("in-flight request: got %d", code)
		}
	}
	if code, _, body := getShed(t, ts.URL+"/api/status"); code != http.StatusOK || body["service"] != "api" {
		t.Errorf("after the slots freed: got %d %v", code, body)
	}
	if n := len(s.slots); n != 0 {
		t.Errorf("%d slots still held after every request ended", n)
	}
}

// TestRoutesAreBehindTheLimit: the API's own routes are shed when every slot is taken, and the
// shed answer is logged with its status.
func TestRoutesAreBehindTheLimit(t *testing.T) {
	cfg := testConfig()
	cfg.MaxInFlight = 3
	s, logs := newTestServer(t, cfg)
	ts := httptest.NewServer(s.routes())
	defer ts.Close()
	for i := 0; i < cfg.MaxInFlight; i++ {
		s.slots <- struct{}{}
	}
	for _, path := range []string{"/api/status", "/api/posts", "/nowhere"} {
		if code, _, _ := getShed(t, ts.URL+path); code != http.StatusServiceUnavailable {
			t.Errorf("%s with every slot taken: got %d, want 503", path, code)
		}
	}
	if code, _, _ := getShed(t, ts.URL+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz with every slot taken: got %d, want 200", code)
	}
	<-s.slots
	if code, _, _ := getShed(t, ts.URL+"/api/status"); code != http.StatusOK {
		t.Errorf("/api/status with a slot free: got %d, want 200", code)
	}
	shed := 0
	for _, l := range logs.lines(t) {
		if l["msg"] == "request" && l["status"] == float64(http.StatusServiceUnavailable) {
			shed++
		}
	}
	if shed != 3 {
		t.Errorf("want 3 shed requests logged with 503, got %d", shed)
	}
}

// TestNewServerRefusesNoSlots: a limit of zero would shed everything.
func TestNewServerRefusesNoSlots(t *testing.T) {
	cfg := testConfig()
	cfg.MaxInFlight = 0
	if _, err := newServer(cfg, newLogger(io.Discard)); err == nil {
		t.Fatal("want an error for MaxInFlight 0")
	}
}

// TestDefaultTimeoutsAreSet: every bound is set, in the order the comments explain: headers
// within the whole read, the write below the proxy's 30 s read timeout, idle above nginx's 60 s
// upstream keepalive.
func TestDefaultTimeoutsAreSet(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	srv := s.httpServer(http.NotFoundHandler())
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout < srv.ReadHeaderTimeout || srv.WriteTimeout <= 0 ||
		srv.WriteTimeout >= 30*time.Second || srv.IdleTimeout <= 60*time.Second {
		t.Errorf("timeouts: header %s, read %s, write %s, idle %s", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}
}

// serveWith serves h with the server's connection timeouts on a loopback port.
func serveWith(t *testing.T, s *server, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	srv := s.httpServer(h)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// TestSlowHeadersAreCut: a client that never finishes its headers (slowloris) is disconnected
// after the header timeout instead of holding its connection.
func TestSlowHeadersAreCut(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	s.timeouts = serverTimeouts{ReadHeader: 200 * time.Millisecond, Read: time.Second, Write: time.Second, Idle: time.Second}
	addr := serveWith(t, s, s.routes())
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /api/status HTTP/1.1\r\nHost: api\r\n"); err != nil {
		t.Fatalf("write: %v", err)
	}
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, err = bufio.NewReader(conn).ReadByte()
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		t.Fatalf("still connected after 3 s: the header timeout did not cut the client")
	}
	if took := time.Since(start); took > 600*time.Millisecond {
		t.Errorf("cut after %s, want about 200 ms", took)
	}
}

// TestStuckHandlersEndAtTheWriteTimeout: an answer later than the write timeout is not sent; the
// connection closes, which the proxy turns into a 502 rather than a hang.
func TestStuckHandlersEndAtTheWriteTimeout(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	s.timeouts = serverTimeouts{ReadHeader: time.Second, Read: time.Second, Write: 200 * time.Millisecond, Idle: time.Second}
	addr := serveWith(t, s, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(500 * time.Millisecond)
		_, _ = io.WriteString(w, "too late")
	}))
	client := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get("http://" + addr + "/")
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("got %d %q after the write timeout, want a closed connection", resp.StatusCode, body)
	}
}
