/**
 * Runs docker/proxy/entrypoint.sh on the host exactly as the image runs it, with the paths the
 * image fixes (/etc/acme, /run/proxy, /etc/proxy/templates) moved into a test directory by env.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { DOCKER_DIR } from './repo-paths';
import type { ProcessGroup, ServiceProcess } from './service-process';

export const PROXY_DIR = path.join(DOCKER_DIR, 'proxy');
export const ENTRYPOINT = path.join(PROXY_DIR, 'entrypoint.sh');

/** What a test chooses; everything else keeps the image's defaults. */
export interface ProxySettings {
  /** Holds the ACME volume (acme/) and the run dir (run/); nginx workers (www-data under root, else nginx's user) must reach it. */
  readonly dir: string;
  readonly nginx: string;
  readonly lego?: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly apiUpstream: string;
  readonly frontendUpstream: string;
  readonly domain?: string;
  readonly acmeDirectory?: string;
  /** LEGO_CA_CERTIFICATES: the CA of a test ACME server's own HTTPS listener. */
  readonly acmeCaFile?: string;
  /** STOP_GRACE_SECONDS (image default 10). */
  readonly stopGraceSeconds?: number;
}

/** The environment the ECS task (here: the test) gives the entry script. */
export function proxyEnv(settings: ProxySettings): NodeJS.ProcessEnv {
  mkdirSync(path.join(settings.dir, 'acme'), { recursive: true, mode: 0o755 });
  const env: NodeJS.ProcessEnv = {
    DOMAIN: settings.domain ?? '',
    ACME_EMAIL: settings.domain === undefined ? '' : 'ops@example.org',
    ACME_PATH: path.join(settings.dir, 'acme'),
    PROXY_RUN_DIR: path.join(settings.dir, 'run'),
    PROXY_TEMPLATE_DIR: path.join(PROXY_DIR, 'templates'),
    NGINX_BIN: settings.nginx,
    LISTEN_ADDRESS: '127.0.0.1',
    HTTP_PORT: String(settings.httpPort),
    HTTPS_PORT: String(settings.httpsPort),
    API_UPSTREAM: settings.apiUpstream,
    FRONTEND_UPSTREAM: settings.frontendUpstream,
  };
  if (settings.lego !== undefined) env.LEGO_BIN = settings.lego;
  if (settings.acmeDirectory !== undefined) env.ACME_DIRECTORY = settings.acmeDirectory;
  if (settings.acmeCaFile !== undefined) env.LEGO_CA_CERTIFICATES = settings.acmeCaFile;
  if (settings.stopGraceSeconds !== undefined) env.STOP_GRACE_SECONDS = String(settings.stopGraceSeconds);
  return env;
}

/** Runs `entrypoint.sh <args>` to completion; throws with its output unless it exits 0. */
export async function runEntrypoint(group: ProcessGroup, env: NodeJS.ProcessEnv, args: readonly string[]): Promise<string> {
  const run = group.start(`entrypoint-${args[0]}`, 'sh', [ENTRYPOINT, ...args], { env });
  const exit = await run.waitForExit(60000);
  if (exit.code !== 0) throw new Error(`entrypoint.sh ${args.join(' ')} exited ${exit.code ?? exit.signal}:\n${run.output()}`);
  return run.output();
}

/** `entrypoint.sh render`: writes the config the proxy would run with and returns its path. */
export async function renderConfig(group: ProcessGroup, env: NodeJS.ProcessEnv): Promise<string> {
  const output = await runEntrypoint(group, env, ['render']);
  const file = output.split('\n').find((line) => line.startsWith('/') && line.endsWith('/nginx.conf'));
  if (file === undefined) throw new Error(`entrypoint.sh render printed no config path:\n${output}`);
  return file;
}

/** `nginx -t` on a rendered config, with the prefix and flags the entry script uses. */
export async function nginxTest(group: ProcessGroup, env: NodeJS.ProcessEnv, configFile: string): Promise<string> {
  const run = group.start('nginx-t', String(env.NGINX_BIN), ['-t', '-p', `${env.PROXY_RUN_DIR}/`, '-c', configFile, '-e', 'stderr']);
  const exit = await run.waitForExit(10000);
  if (exit.code !== 0) throw new Error(`nginx -t failed:\n${run.output()}`);
  return run.output();
}

/** Starts the entry script's `run` (PID 1 in the image). */
export function startProxy(group: ProcessGroup, env: NodeJS.ProcessEnv): ServiceProcess {
  return group.start('proxy', 'sh', [ENTRYPOINT], { env });
}
