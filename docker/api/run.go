package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// run listens on the configured address and serves until ctx is done (SIGTERM or SIGINT in
// main), then drains: see serve.
func run(ctx context.Context, cfg config, log *logger) error {
	s, err := newServer(cfg, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr())
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr(), err)
	}
	go s.resolveTask(ctx)
	return s.serve(ctx, ln, s.routes())
}

// serverTimeouts bound every connection, so that slow or stuck clients cannot hold the API's
// goroutines and memory without end.
type serverTimeouts struct {
	// ReadHeader bounds the request line and headers; the proxy and the health checks send them at once.
	ReadHeader time.Duration
	// Read bounds the whole request, body included (the API takes no bodies).
	Read time.Duration
	// Write bounds the answer from the end of the headers: below the proxy's read timeout (30 s),
	// so a stuck handler ends as a closed connection the proxy answers with 502, not a hang.
	Write time.Duration
	// Idle bounds a kept-alive connection between requests: above nginx's upstream keepalive
	// timeout (60 s), so that the proxy, not the API, closes an idle connection, and never
	// reuses one the API is closing at that instant.
	Idle time.Duration
}

// defaultTimeouts are the API's connection bounds.
var defaultTimeouts = serverTimeouts{ReadHeader: 5 * time.Second, Read: 10 * time.Second, Write: 20 * time.Second, Idle: 75 * time.Second}

// httpServer returns the server for h with the connection timeouts.
func (s *server) httpServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: s.timeouts.ReadHeader,
		ReadTimeout:       s.timeouts.Read,
		WriteTimeout:      s.timeouts.Write,
		IdleTimeout:       s.timeouts.Idle,
		ErrorLog:          s.log.stdlog(),
	}
}

// serve serves h on ln until ctx is done. Then /readyz turns 503, the listener stays open for
// DrainDelay, and Shutdown lets in-flight requests finish within ShutdownTimeout. With no
// requests in flight it returns at once: a quick stop is a quick restart.
func (s *server) serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := s.httpServer(h)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	s.log.info("listening", kv("addr", ln.Addr().String()), kv("version", s.cfg.Version), kv("instance", s.instance))

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	s.draining.Store(true)
	// Answers sent while draining close their connection, so no client keeps an idle one to
	// a process about to exit.
	srv.SetKeepAlivesEnabled(false)
	s.log.info("draining", kv("drain_delay_ms", s.cfg.DrainDelay.Milliseconds()), kv("shutdown_timeout_ms", s.cfg.ShutdownTimeout.Milliseconds()))
	if s.cfg.DrainDelay > 0 {
		time.Sleep(s.cfg.DrainDelay)
	}

	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		closeErr := srv.Close()
		if closeErr != nil {
			s.log.error("close after shutdown timeout", kv("error", closeErr))
		}
		return fmt.Errorf("shutdown: in-flight requests did not finish within %s: %w", s.cfg.ShutdownTimeout, err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
