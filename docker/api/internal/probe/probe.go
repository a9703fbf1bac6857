// Package probe checks that an HTTP endpoint answers with a 2xx status. The container health
// checks of all three images use it: the api through `api healthcheck`, the frontend and the
// proxy through the standalone healthcheck command.
package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Timeout is how long a health check waits for the answer, connection included.
const Timeout = 2 * time.Second

// Check GETs rawURL and returns nil if it answers 2xx within timeout. Otherwise the error
// says why on one line, fit for a health check's log.
func Check(ctx context.Context, rawURL string, timeout time.Duration) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("invalid url %q: %w", rawURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("invalid url %q: want http://host[:port]/path or https://…", rawURL)
	}
	client := &http.Client{
		Timeout: timeout,
		// Proxy nil: a probe of 127.0.0.1 must not go through an HTTP_PROXY in the environment.
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
		// A redirect is not health: report the 3xx itself.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("GET %s: %w", rawURL, err)
	}
	req.Header.Set("User-Agent", "healthcheck")
	resp, err := client.Do(req)
	if err != nil {
		return oneLine(unwrapURLError(err, rawURL, timeout))
	}
	defer resp.Body.Close()
	// Drain a little of the body so the server sees a complete exchange.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("GET %s: status %s", rawURL, resp.Status)
	}
	return nil
}

// unwrapURLError rewords the client's error as "GET <url>: <cause>".
func unwrapURLError(err error, rawURL string, timeout time.Duration) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		if uerr.Timeout() {
			return fmt.Errorf("GET %s: no answer within %s: %w", rawURL, timeout, uerr.Err)
		}
		return fmt.Errorf("GET %s: %w", rawURL, uerr.Err)
	}
	return fmt.Errorf("GET %s: %w", rawURL, err)
}

// oneLine keeps an error on one line; it keeps the chain for errors.Is.
func oneLine(err error) error {
	msg := err.Error()
	if !strings.ContainsAny(msg, "\r\n") {
		return err
	}
	return &lineError{msg: strings.Join(strings.Fields(msg), " "), err: err}
}

// lineError is an error whose message was folded onto one line.
type lineError struct {
	msg string
	err error
}

// Error returns the folded message.
func (e *lineError) Error() string { return e.msg }

// Unwrap returns the original error.
func (e *lineError) Unwrap() error { return e.err }
