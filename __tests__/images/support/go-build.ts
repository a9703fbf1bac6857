/**
 * The Go toolchain as the image tests use it: offline (GOPROXY=off; the module has no
 * dependencies), with the toolchain that is installed (GOTOOLCHAIN=local), static binaries
 * (CGO_ENABLED=0) like the images'.
 */
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCommand, type CommandResult } from '../../../rehearsal/command';
import { API_MODULE_DIR } from './repo-paths';

/** The environment for go commands run by the tests. */
export function goEnv(): Record<string, string> {
  const env: Record<string, string> = { GOPROXY: 'off', GOTOOLCHAIN: 'local', GOFLAGS: '', GOWORK: 'off', CGO_ENABLED: '0' };
  // Without HOME go has no default build cache; keep one across runs so builds stay fast.
  if (process.env.GOCACHE === undefined && process.env.HOME === undefined) env.GOCACHE = path.join(tmpdir(), 'go-build-cache');
  if (process.env.GOPATH === undefined && process.env.HOME === undefined) env.GOPATH = path.join(tmpdir(), 'go-path');
  return env;
}

/** Formats a result for an assertion message: the whole output, since a compiler error is what the reader needs. */
function describeResult(command: string, result: CommandResult): string {
  return `${command} exited ${result.code ?? result.signal} after ${result.ms} ms\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

/** Runs `go <args>` in the api module. */
export function runGo(go: string, args: readonly string[], timeoutMs = 120000): Promise<CommandResult> {
  return runCommand(go, args, { cwd: API_MODULE_DIR, env: goEnv(), timeoutMs });
}

/**
 * Builds package `pkg` of the api module (`.` is the api, `./cmd/healthcheck` the health check)
 * to `out` with the image's flags; `ldflags` is added to `-s -w`. Throws with go's output on failure.
 */
export async function buildGoBinary(go: string, pkg: string, out: string, ldflags = ''): Promise<string> {
  const result = await runGo(go, ['build', '-trimpath', '-ldflags', `-s -w ${ldflags}`.trim(), '-o', out, pkg]);
  if (result.code !== 0) throw new Error(describeResult(`go build ${pkg}`, result));
  return out;
}
