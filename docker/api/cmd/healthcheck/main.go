// Command healthcheck is the container health check of images without a shell:
//
//	healthcheck <url>
//
// It exits 0 when url answers with a 2xx status within two seconds, and 1 with a one-line
// reason on stderr otherwise (Docker reserves exit code 2 for health checks). The frontend
// and proxy images build it from this module in a builder stage.
package main

import (
	"context"
	"fmt"
	"os"

	"ecs-chaos-platform/docker/api/internal/probe"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: healthcheck <url>")
		os.Exit(1)
	}
	if err := probe.Check(context.Background(), os.Args[1], probe.Timeout); err != nil {
		fmt.Fprintf(os.Stderr, "unhealthy: %v\n", err)
		os.Exit(1)
	}
}
