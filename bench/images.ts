/**
 * Images benchmark (issue 3): the api's stop time after SIGTERM, requests/s through the proxy to
 * /api/status on loopback (wrk), and the image sizes where a Docker engine answers. Prints
 * figures; asserts nothing; every process it starts is stopped before it exits.
 *
 *   node --import tsx bench/images.ts
 *
 * The servers run as the image tests run them (`__tests__/images/support/`): the api built from
 * docker/api with the image's flags, the frontend's shipped nginx.conf and site, and the proxy's
 * entry script rendering its own config (no DOMAIN: plain HTTP), all on free loopback ports.
 * A missing tool skips its part with the Debian package to install; the exit code stays 0.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { freePort } from '../__tests__/images/support/free-port';
import { buildGoBinary } from '../__tests__/images/support/go-build';
import { startApi, startFrontend } from '../__tests__/images/support/local-services';
import { proxyEnv, startProxy } from '../__tests__/images/support/proxy-entrypoint';
import { waitForOutput } from '../__tests__/images/support/proxy-wait';
import { findTool } from '../__tests__/images/support/require-tool';
import { ProcessGroup } from '../__tests__/images/support/service-process';
import { runCommand } from '../rehearsal/command';
import { httpGet } from '../rehearsal/http-check';

const STOP_RUNS = 20;
const WRK_ARGS = ['-t2', '-c32', '-d10s', '--latency'] as const;
/** The images issue's limit for the api image (decimal MB, as docker prints sizes). */
const API_IMAGE_MAX_BYTES = 15_000_000;
/** The dockerd a local rehearsal starts (rehearsal/engine.ts), then the system default. */
const REHEARSAL_DOCKER_HOST = 'unix:///var/lib/platform-rehearsal/docker.sock';
const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';
/** The rehearsal tags its builds `platform/<service>:local` (rehearsal/images.ts). */
const IMAGE_PREFIX = 'platform/';

const workDir = mkdtempSync(path.join(os.tmpdir(), 'bench-images-'));
// nginx workers (nobody, www-data) read the frontend prefix and the proxy's run dir below it.
chmodSync(workDir, 0o755);
const group = new ProcessGroup(workDir);

/** A tool's path, or undefined after saying which Debian package provides it and what is skipped. */
function tool(command: string, aptPackage: string, skipped: string): string | undefined {
  const found = findTool(command);
  if (found === undefined) console.log(`${command} is not installed (apt-get install ${aptPackage}): skipping ${skipped}`);
  return found;
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function median(sorted: readonly number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

let apiBinary: Promise<string> | undefined;
/** The api built once, as the image builds it, for both parts that run it. */
function buildApi(go: string): Promise<string> {
  apiBinary ??= buildGoBinary(go, '.', path.join(workDir, 'api'), '-X main.version=bench');
  return apiBinary;
}

/** 1. Start, wait for /healthz, SIGTERM, time to exit; STOP_RUNS times. */
async function benchStopTime(go: string): Promise<void> {
  const binary = await buildApi(go);
  const samples: number[] = [];
  const exits = new Map<string, number>();
  for (let run = 0; run < STOP_RUNS; run += 1) {
    const { api } = await startApi(group, binary);
    // hrtime around stop(): sub-millisecond resolution (stop() itself reports whole ms).
    const started = process.hrtime.bigint();
    const exit = await api.stop('SIGTERM', 10_000);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    const how = exit.code !== null ? `exit ${exit.code}` : `signal ${exit.signal}`;
    exits.set(how, (exits.get(how) ?? 0) + 1);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const seen = [...exits].map(([how, count]) => `${how} ×${count}`).join(', ');
  console.log(`api stop time after SIGTERM (${STOP_RUNS} runs, idle, /healthz answered before each signal):`);
  console.log(
    `  median ${ms(median(sorted))}   min ${ms(sorted[0])}   max ${ms(sorted[sorted.length - 1])}   p90 ${ms(percentile(sorted, 90))}   exits: ${seen}`,
  );
}

/** What wrk reported for one run. */
interface WrkFigures {
  readonly requestsPerSecond: number;
  readonly requests: number;
  readonly p50: string;
  readonly p99: string;
  /** wrk's "Non-2xx or 3xx responses" (it counts statuses above 399). */
  readonly errorStatuses: number;
  /** connect, read, write, timeout. */
  readonly socketErrors: string;
}

function parseWrk(output: string): WrkFigures | undefined {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(output);
  const total = /^\s*(\d+) requests in /m.exec(output);
  const p50 = /^\s*50%\s+(\S+)/m.exec(output);
  const p99 = /^\s*99%\s+(\S+)/m.exec(output);
  if (rps === null || total === null || p50 === null || p99 === null) return undefined;
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requestsPerSecond: Number(rps[1]),
    requests: Number(total[1]),
    p50: p50[1],
    p99: p99[1],
    errorStatuses: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
    socketErrors: socket === null ? 'none' : `connect ${socket[1]}, read ${socket[2]}, write ${socket[3]}, timeout ${socket[4]}`,
  };
}

async function runWrk(wrk: string, label: string, url: string): Promise<void> {
  const result = await runCommand(wrk, [...WRK_ARGS, url], { timeoutMs: 30_000 });
  const figures = result.code === 0 ? parseWrk(result.stdout) : undefined;
  if (figures === undefined) {
    console.log(`  ${label}: wrk exited ${result.code ?? result.signal}, no figures:\n${result.stdout}${result.stderr}`);
    return;
  }
  console.log(
    `  ${label.padEnd(22)} ${figures.requestsPerSecond.toFixed(0).padStart(6)} req/s   p50 ${figures.p50.padStart(8)}   p99 ${figures.p99.padStart(8)}   ` +
      `${figures.requests} requests, non-2xx/3xx ${figures.errorStatuses}, socket errors ${figures.socketErrors}`,
  );
}

/** 2. wrk through the proxy (entry script, rendered config, no DOMAIN) and directly against the api. */
async function benchThroughput(go: string, nginx: string, wrk: string): Promise<void> {
  const { port: apiPort } = await startApi(group, await buildApi(go));
  const [frontendPort, httpPort, httpsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  await startFrontend(group, nginx, path.join(workDir, 'frontend'), frontendPort);
  const env = proxyEnv({
    dir: path.join(workDir, 'proxy'),
    nginx,
    httpPort,
    httpsPort,
    apiUpstream: `127.0.0.1:${apiPort}`,
    frontendUpstream: `127.0.0.1:${frontendPort}`,
  });
  const proxy = startProxy(group, env);
  await waitForOutput(proxy, /nginx started .*mode http\b/, 15_000);
  const proxyUrl = `http://127.0.0.1:${httpPort}/api/status`;
  const check = await httpGet(proxyUrl);
  if (check.status !== 200 || !check.body.includes('"service":"api"')) {
    console.log(`requests/s: skipped, ${proxyUrl} answered ${check.status}: ${check.body.slice(0, 200)}`);
    return;
  }
  console.log(`requests/s to /api/status on loopback: wrk ${WRK_ARGS.join(' ')} (access logs on, to files, as in the images):`);
  await runWrk(wrk, 'through the proxy', proxyUrl);
  await runWrk(wrk, 'api directly', `http://127.0.0.1:${apiPort}/api/status`);
}

/** Only engines on this machine: the benchmark sends nothing off loopback. */
function isLocalDockerHost(host: string): boolean {
  return host.startsWith('unix://') || /^(tcp|http):\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/.test(host);
}

/** The first engine that answers, in the order DOCKER_HOST, the rehearsal's, the default; or why none did. */
async function findEngine(docker: string): Promise<{ readonly host?: string; readonly tried: readonly string[] }> {
  const fromEnv = process.env.DOCKER_HOST;
  const candidates = [...(fromEnv !== undefined && fromEnv !== '' ? [fromEnv] : []), REHEARSAL_DOCKER_HOST, DEFAULT_DOCKER_HOST];
  const tried: string[] = [];
  for (const host of [...new Set(candidates)]) {
    if (!isLocalDockerHost(host)) {
      tried.push(`${host}: not on this machine, not asked`);
      continue;
    }
    const version = await runCommand(docker, ['version', '--format', '{{.Server.Version}}'], {
      env: { DOCKER_HOST: host },
      timeoutMs: 10_000,
    });
    if (version.code === 0 && version.stdout.trim() !== '') return { host, tried };
    tried.push(`${host}: ${(version.stderr.trim().split('\n').pop() ?? '').slice(0, 120) || `exit ${version.code ?? version.signal}`}`);
  }
  return { tried };
}

const ImageRow = z.object({ Repository: z.string(), Tag: z.string(), ID: z.string(), CreatedSince: z.string() });

/** 3. Sizes of the rehearsal's images (`platform/*`), where a Docker engine answers. */
async function benchImageSizes(): Promise<void> {
  const docker = findTool('docker');
  if (docker === undefined) {
    console.log('image sizes: no Docker engine answered (the docker CLI is not installed: apt-get install docker.io)');
    return;
  }
  const engine = await findEngine(docker);
  if (engine.host === undefined) {
    console.log(`image sizes: no Docker engine answered (${engine.tried.join('; ')})`);
    return;
  }
  const env = { DOCKER_HOST: engine.host };
  const listed = await runCommand(docker, ['image', 'ls', '--format', 'json'], { env, timeoutMs: 30_000 });
  if (listed.code !== 0) {
    console.log(`image sizes: docker image ls failed at ${engine.host}: ${listed.stderr.trim()}`);
    return;
  }
  const rows = listed.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => ImageRow.parse(JSON.parse(line)));
  const ours = rows.filter((row) => row.Repository.startsWith(IMAGE_PREFIX)).sort((a, b) => a.Repository.localeCompare(b.Repository));
  console.log(`image sizes (DOCKER_HOST=${engine.host}, images ${IMAGE_PREFIX}*):`);
  if (ours.length === 0) {
    console.log(`  none: this engine holds no ${IMAGE_PREFIX}* image (the local rehearsal builds them)`);
    return;
  }
  for (const row of ours) {
    const ref = `${row.Repository}:${row.Tag}`;
    // `image ls` rounds (5.23MB); inspect gives bytes.
    const inspected = await runCommand(docker, ['image', 'inspect', '--format', '{{.Size}}', row.ID], { env, timeoutMs: 30_000 });
    const bytes = Number(inspected.stdout.trim());
    const limit = row.Repository === `${IMAGE_PREFIX}api` ? `   ≤ 15 MB: ${bytes <= API_IMAGE_MAX_BYTES ? 'yes' : 'NO'}` : '';
    console.log(`  ${ref.padEnd(24)} ${(bytes / 1e6).toFixed(1).padStart(6)} MB   built ${row.CreatedSince}${limit}`);
  }
  if (!ours.some((row) => row.Repository === `${IMAGE_PREFIX}api`))
    console.log(`  no ${IMAGE_PREFIX}api image: the ≤ 15 MB check was not made`);
}

async function main(): Promise<void> {
  const load = os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  console.log(`images benchmark, ${new Date().toISOString()}: ${os.cpus().length} cores, load average ${load}`);
  console.log('(a shared, busy machine: the figures are noisy; compare runs on the same machine only)\n');

  const go = tool('go', 'golang-go', 'the api stop time and requests/s');
  if (go !== undefined) await benchStopTime(go);
  console.log('');

  const nginx = tool('nginx', 'nginx', 'requests/s through the proxy');
  const wrk = tool('wrk', 'wrk', 'requests/s through the proxy');
  if (go !== undefined && nginx !== undefined && wrk !== undefined) await benchThroughput(go, nginx, wrk);
  console.log('');

  await benchImageSizes();
}

async function cleanUp(): Promise<void> {
  await group.stopAll();
  rmSync(workDir, { recursive: true, force: true });
}

// Ctrl-C mid-run: stop the servers before leaving.
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.once(signal, () => {
    void cleanUp().finally(() => process.exit(code));
  });
}

main()
  .catch((err: unknown) => {
    // A missing tool is a skip (exit 0); a server that would not start is a failure of the run.
    console.log(`benchmark stopped early: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  })
  .finally(() => cleanUp());
