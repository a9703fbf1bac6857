// Command api is the platform's Go API: liveness and readiness endpoints, a status endpoint
// that tells which process and task answer, and a small posts resource for the frontend.
//
// Usage:
//
//	api                    serve on $PORT (default 8080) until SIGTERM or SIGINT
//	api healthcheck [url]  exit 0 if url (default http://127.0.0.1:$PORT/healthz) answers 2xx
//	api version            print the build's version
//
// The healthcheck subcommand exists because the image is FROM scratch: the container health
// check is exec-form and has no shell or curl to call.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"ecs-chaos-platform/docker/api/internal/probe"
)

// version is the build's version, set with -ldflags "-X main.version=…"; VERSION in the
// environment overrides it.
var version = "dev"

// Exit codes of the api command.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	os.Exit(realMain(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// realMain runs the command named by args and returns its exit code.
func realMain(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "healthcheck":
			return healthcheck(ctx, args[1:], getenv, stderr)
		case "version":
			fmt.Fprintln(stdout, version)
			return exitOK
		default:
			fmt.Fprintf(stderr, "api: unknown command %q (commands: healthcheck [url], version)\n", args[0])
			return exitUsage
		}
	}
	log := newLogger(stdout)
	cfg, err := loadConfig(getenv)
	if err != nil {
		log.error("invalid configuration", kv("error", err))
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, log); err != nil {
		log.error("stopped with an error", kv("error", err))
		return exitFailed
	}
	log.info("stopped")
	return exitOK
}

// healthcheck probes url (default: this API's /healthz on loopback) and returns 0 on a 2xx
// answer within probe.Timeout, else 1 with a one-line reason on stderr. Docker reserves exit
// code 2 for health checks, so every failure, a usage error included, is 1.
func healthcheck(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	if len(args) > 1 {
		fmt.Fprintln(stderr, "usage: api healthcheck [url]")
		return exitFailed
	}
	url := defaultHealthURL(getenv)
	if len(args) == 1 {
		url = args[0]
	}
	if err := probe.Check(ctx, url, probe.Timeout); err != nil {
		fmt.Fprintf(stderr, "unhealthy: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// defaultHealthURL is /healthz on loopback at $PORT. It reads PORT alone, so a health check
// does not fail over an unrelated setting.
func defaultHealthURL(getenv func(string) string) string {
	port := strings.TrimSpace(getenv("PORT"))
	if port == "" {
		port = fmt.Sprint(defaultPort)
	}
	return "http://127.0.0.1:" + port + "/healthz"
}
