package probe

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			_, _ = w.Write([]byte("ok"))
		case "/no-content":
			w.WriteHeader(http.StatusNoContent)
		case "/moved":
			http.Redirect(w, r, "/ok", http.StatusFound)
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()

	tests := []struct {
		name string
		url  string
		want string // "" means healthy
	}{
		{"200", srv.URL + "/ok", ""},
		{"204", srv.URL + "/no-content", ""},
		{"503", srv.URL + "/down", "status 503 Service Unavailable"},
		{"redirect is not followed", srv.URL + "/moved", "status 302 Found"},
		{"timeout", srv.URL + "/slow", "no answer within 100ms"},
		{"connection refused", "http://127.0.0.1:1/healthz", "connection refused"},
		{"not a URL", "127.0.0.1:8080/healthz", "invalid url"},
		{"wrong scheme", "ftp://127.0.0.1/healthz", "invalid url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(context.Background(), tt.url, 100*time.Millisecond)
			if tt.want == "" {
				if err != nil {
					t.Errorf("want healthy, got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestOneLineFoldsLineBreaks(t *testing.T) {
	err := oneLine(errors.New("a\nb\r\n c"))
	if err.Error() != "a b c" {
		t.Errorf("got %q", err)
	}
}
