package main

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// config is the API's configuration, read once from the environment at start.
type config struct {
	// ListenHost is the interface to bind; empty binds all interfaces (LISTEN_HOST).
	ListenHost string
	// Port is the TCP port to listen on (PORT, default 8080: the port the proxy forwards to).
	Port int
	// Version is reported by /api/status (VERSION, default: the build-time version).
	Version string
	// ShutdownTimeout bounds how long in-flight requests may run after SIGTERM (SHUTDOWN_TIMEOUT, default 5s).
	ShutdownTimeout time.Duration
	// DrainDelay keeps the listener open after SIGTERM while /readyz answers 503, so that a
	// load balancer polling readiness stops sending traffic first (DRAIN_DELAY, default 0).
	DrainDelay time.Duration
	// TaskID identifies the task when no ECS metadata endpoint is available (TASK_ID).
	TaskID string
	// MetadataURI is the ECS task metadata endpoint v4, set by the ECS agent (ECS_CONTAINER_METADATA_URI_V4).
	MetadataURI string
	// MetadataTimeout bounds the one metadata request made at start (METADATA_TIMEOUT, default 1s).
	MetadataTimeout time.Duration
	// MaxInFlight is how many requests are served at once; the next ones are shed with 503 and
	// Retry-After at once instead of queueing (MAX_IN_FLIGHT, default 128; probes are never shed).
	MaxInFlight int
}

// Defaults for the configuration; PORT matches SERVICES.api.port in stacks/services.ts.
const (
	defaultPort            = 8080
	defaultShutdownTimeout = 5 * time.Second
	defaultMetadataTimeout = time.Second
	defaultMaxInFlight     = 128
)

// addr is the address to listen on.
func (c config) addr() string {
	return net.JoinHostPort(c.ListenHost, strconv.Itoa(c.Port))
}

// loadConfig reads the configuration through getenv, applies defaults and returns an error
// naming the first variable that is invalid.
func loadConfig(getenv func(string) string) (config, error) {
	cfg := config{
		ListenHost:  strings.TrimSpace(getenv("LISTEN_HOST")),
		Port:        defaultPort,
		Version:     version,
		TaskID:      strings.TrimSpace(getenv("TASK_ID")),
		MetadataURI: strings.TrimSpace(getenv("ECS_CONTAINER_METADATA_URI_V4")),
		MaxInFlight: defaultMaxInFlight,
	}
	if v := strings.TrimSpace(getenv("VERSION")); v != "" {
		cfg.Version = v
	}
	if v := strings.TrimSpace(getenv("PORT")); v != "" {
		port, err := strconv.Atoi(v)
		if err != nil || port < 1 || port > 65535 {
			return config{}, fmt.Errorf("PORT must be a port number from 1 to 65535, got %q", v)
		}
		cfg.Port = port
	}
	if v := strings.TrimSpace(getenv("MAX_IN_FLIGHT")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			return config{}, fmt.Errorf("MAX_IN_FLIGHT must be a number of requests from 1 to 100000, got %q", v)
		}
		cfg.MaxInFlight = n
	}
	var err error
	if cfg.ShutdownTimeout, err = durationVar(getenv, "SHUTDOWN_TIMEOUT", defaultShutdownTimeout); err != nil {
		return config{}, err
	}
	if cfg.DrainDelay, err = durationVar(getenv, "DRAIN_DELAY", 0); err != nil {
		return config{}, err
	}
	if cfg.MetadataTimeout, err = durationVar(getenv, "METADATA_TIMEOUT", defaultMetadataTimeout); err != nil {
		return config{}, err
	}
	return cfg, nil
}

// durationVar reads a non-negative duration: a Go duration ("5s", "250ms") or a number of
// seconds ("5", "0.5"), the form ECS users tend to write.
func durationVar(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 {
			return 0, fmt.Errorf("%s must not be negative, got %q", name, v)
		}
		return time.Duration(secs * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s must be a duration such as 5s or 500ms, got %q", name, v)
	}
	if d < 0 {
		return 0, fmt.Errorf("%s must not be negative, got %q", name, v)
	}
	return d, nil
}
