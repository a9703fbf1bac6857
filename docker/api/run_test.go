package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startServe runs s.serve on a loopback port with the API's routes plus /test/slow, a handler
// that blocks until release is closed. It returns the base URL and serve's result.
func startServe(t *testing.T, ctx context.Context, s *server, entered chan<- struct{}, release <-chan struct{}) (string, <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", s.routes())
	mux.HandleFunc("/test/slow", func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
		_, _ = io.WriteString(w, "finished")
	})
	done := make(chan error, 1)
	go func() { done <- s.serve(ctx, ln, mux) }()
	return "http://" + ln.Addr().String(), done
}

// httpGet returns the status and body of url, without keeping the connection.
func httpGet(url string) (int, string, error) {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// TestSIGTERMDrains delivers a real SIGTERM to this process while a request is in flight:
// readiness turns 503 during the drain delay, the listener then closes, the in-flight request
// still completes, and serve returns nil.
func TestSIGTERMDrains(t *testing.T) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	cfg := testConfig()
	cfg.DrainDelay = time.Second
	cfg.ShutdownTimeout = 5 * time.Second
	s, logs := newTestServer(t, cfg)
	entered, release := make(chan struct{}, 1), make(chan struct{})
	base, done := startServe(t, ctx, s, entered, release)

	if code, _, err := httpGet(base + "/readyz"); err != nil || code != http.StatusOK {
		t.Fatalf("readyz before SIGTERM: %d %v", code, err)
	}
	slow := make(chan string, 1)
	go func() {
		code, body, err := httpGet(base + "/test/slow")
		if err != nil {
			slow <- err.Error()
			return
		}
		slow <- http.StatusText(code) + " " + body
	}()
	<-entered

	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatalf("kill: %v", err)
	}
	waitFor(t, "readyz 503 while draining", func() bool {
		code, body, err := httpGet(base + "/readyz")
		return err == nil && code == http.StatusServiceUnavailable && strings.Contains(body, "draining")
	})
	if code, _, err := httpGet(base + "/healthz"); err != nil || code != http.StatusOK {
		t.Errorf("healthz while draining: %d %v", code, err)
	}
	waitFor(t, "listener closed after the drain delay", func() bool {
		_, _, err := httpGet(base + "/readyz")
		return err != nil
	})
	select {
	case err := <-done:
		t.Fatalf("serve returned before the in-flight request finished: %v", err)
	default:
	}

	close(release)
	if got := <-slow; got != "OK finished" {
		t.Errorf("in-flight request: got %q", got)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("serve did not return after the in-flight request finished")
	}
	assertLogged(t, logs, "draining")
}

// waitFor polls cond every 20 ms for up to 3 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestStopWithoutTrafficIsQuick: with nothing in flight and no drain delay, serve returns
// as soon as it is told to stop.
func TestStopWithoutTrafficIsQuick(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s, _ := newTestServer(t, testConfig())
	base, done := startServe(t, ctx, s, make(chan struct{}, 1), make(chan struct{}))
	if code, _, err := httpGet(base + "/healthz"); err != nil || code != http.StatusOK {
		t.Fatalf("healthz: %d %v", code, err)
	}
	start := time.Now()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("stop took %s, want well under a second", took)
	}
	if _, _, err := httpGet(base + "/healthz"); err == nil {
		t.Error("still answering after serve returned")
	}
}

// TestShutdownTimeoutIsAnError: a request that outlives SHUTDOWN_TIMEOUT is cut and serve
// reports it, so the process exits non-zero.
func TestShutdownTimeoutIsAnError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cfg := testConfig()
	cfg.ShutdownTimeout = 100 * time.Millisecond
	s, _ := newTestServer(t, cfg)
	entered, release := make(chan struct{}, 1), make(chan struct{})
	defer close(release)
	base, done := startServe(t, ctx, s, entered, release)
	go func() { _, _, _ = httpGet(base + "/test/slow") }()
	<-entered
	cancel()
	err := <-done
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "100ms") {
		t.Errorf("want a shutdown deadline error naming the timeout, got %v", err)
	}
}

func TestRunReportsListenErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer busy.Close()
	cfg := testConfig()
	cfg.Port = busy.Addr().(*net.TCPAddr).Port
	err = run(context.Background(), cfg, newLogger(io.Discard))
	if err == nil || !strings.Contains(err.Error(), "listen on 127.0.0.1:") {
		t.Errorf("want a listen error, got %v", err)
	}
}

// assertLogged fails unless some log line has the message msg.
func assertLogged(t *testing.T, logs *syncBuffer, msg string) {
	t.Helper()
	for _, l := range logs.lines(t) {
		if l["msg"] == msg {
			return
		}
	}
	t.Errorf("no %q log line in %v", msg, logs.lines(t))
}
