/**
 * The api and the frontend on loopback as their images run them, for the tests and the images
 * bench that need them as real upstreams (or, for the api, as the subject).
 */
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { freePort } from './free-port';
import { FRONTEND_DIR } from './repo-paths';
import type { ProcessGroup, ServiceProcess } from './service-process';
import { waitForHttp } from './wait-for-http';

/** A started api, and where it answers. */
export interface LocalApi {
  readonly api: ServiceProcess;
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
}

/** Options of {@link startApi}. */
export interface StartApiOptions {
  /** Default: a free port. A restart passes the port the proxy already points at. */
  readonly port?: number;
  /** Added to PORT and LISTEN_HOST (and may override them). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts the api `binary` on 127.0.0.1 and waits for its /healthz. */
export async function startApi(group: ProcessGroup, binary: string, options: StartApiOptions = {}): Promise<LocalApi> {
  const port = options.port ?? (await freePort());
  const api = group.start('api', binary, [], { env: { PORT: String(port), LISTEN_HOST: '127.0.0.1', ...options.env } });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/healthz`, 10_000);
  return { api, port, base };
}

/** The shipped nginx.conf with its one `listen 127.0.0.1:8081` line (loopback, as in host mode) moved to `port`. */
export function frontendConfigOnPort(port: number): string {
  const shipped = readFileSync(path.join(FRONTEND_DIR, 'nginx.conf'), 'utf8');
  const listens = shipped.match(/^\s*listen\s.*$/gm) ?? [];
  if (listens.length !== 1 || !/^\s*listen 127\.0\.0\.1:8081 /.test(listens[0])) {
    throw new Error(`nginx.conf must have exactly one "listen 127.0.0.1:8081 …" line, found: ${JSON.stringify(listens)}`);
  }
  return shipped.replace(/^(\s*)listen 127\.0\.0\.1:8081 /m, `$1listen 127.0.0.1:${port} `);
}

/**
 * The shipped site copied to `prefix`/html, readable by anyone. nginx runs as root here and its
 * workers as nobody: served through the checkout (a link), the site would be unreadable from a
 * checkout in a folder only root can enter (a `mktemp -d` folder, root's home).
 */
export function stageSite(prefix: string): void {
  // startFrontend's callers name a directory that does not exist yet (`<workDir>/frontend`).
  mkdirSync(prefix, { recursive: true });
  chmodSync(prefix, 0o755);
  mkdirSync(path.join(prefix, 'html'), { recursive: true, mode: 0o755 });
  mkdirSync(path.join(prefix, 'run'), { recursive: true });
  for (const file of readdirSync(SITE_DIR)) {
    copyFileSync(path.join(SITE_DIR, file), path.join(prefix, 'html', file));
    chmodSync(path.join(prefix, 'html', file), 0o644);
  }
}

/** The site as the image serves it. */
export const SITE_DIR = path.join(FRONTEND_DIR, 'site');

/**
 * The frontend as its image runs it, under `prefix`: the shipped site (a copy) and nginx.conf,
 * `listen 127.0.0.1:8081` moved to `port`; waits for its /healthz.
 */
export async function startFrontend(group: ProcessGroup, nginx: string, prefix: string, port: number): Promise<ServiceProcess> {
  stageSite(prefix);
  writeFileSync(path.join(prefix, 'nginx.conf'), frontendConfigOnPort(port));
  const frontend = group.start('frontend', nginx, ['-p', `${prefix}/`, '-c', `${prefix}/nginx.conf`, '-e', 'stderr', '-g', 'daemon off;']);
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, 10_000);
  return frontend;
}
