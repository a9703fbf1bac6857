import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { run } from './command';
import { PrerequisiteError } from './errors';
import { BRIDGE_ADDRESS, fleetFiles, type NodeSlot } from './nodes';
import { ownProcess, sleep, stopProcess } from './processes';
import type { RehearsalSettings } from './settings';

/**
 * The stand-in network load balancer of the multi-node rehearsal: a real nginx `stream` on the host
 * listening on 127.0.0.1:<proxy port> (and the HTTPS port in ACME mode), TCP pass-through to every
 * node's address, as the NLB's target group: `proxy_connect_timeout 1s`, `proxy_next_upstream on`
 * (a connection refused or timed out goes to the next node), passive health (`max_fails=1
 * fail_timeout=3s`: a node that failed once is skipped for 3 s), and active health as the NLB's
 * target groups (lb-health.ts: the proxy's readiness path; a node out of service is listed `down`).
 * The proxies still terminate TLS.
 *
 * In ACME mode it also carries the nodes' way to the ACME directory on the host's loopback: it
 * listens on the bridge address 10.210.0.1:<directory port> (reachable from the nodes only) and
 * passes the TCP stream to 127.0.0.1:<directory port>; each node DNATs its own 127.0.0.1:<port>
 * there (nodes.ts ensureDirectoryRoute), so TLS stays end to end between lego and the directory.
 */

/** Debian's dynamic stream module (package libnginx-mod-stream). */
export const STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

function lbPaths(settings: Pick<RehearsalSettings, 'stateDir'>) {
  const dir = fleetFiles(settings).lbDir;
  return { dir, config: path.join(dir, 'nginx.conf'), pidFile: path.join(dir, 'nginx.pid'), errorLog: path.join(dir, 'error.log') };
}

/** The nginx configuration for these ports and nodes (and, in ACME mode, the directory's port to forward). */
export function loadBalancerConfig(
  dir: string,
  ports: readonly number[],
  nodes: readonly Pick<NodeSlot, 'address'>[],
  down: ReadonlySet<string> = new Set(),
  directoryPort?: number,
): string {
  const blocks = ports.map((port) =>
    [
      `  upstream nodes_${port} {`,
      ...nodes.map((n) => `    server ${n.address}:${port} max_fails=1 fail_timeout=3s${down.has(n.address) ? ' down' : ''};`),
      '  }',
      '  server {',
      `    listen 127.0.0.1:${port};`,
      `    proxy_pass nodes_${port};`,
      '    proxy_connect_timeout 1s;',
      '    proxy_next_upstream on;',
      '    proxy_timeout 60s;',
      '  }',
    ].join('\n'),
  );
  const forward =
    directoryPort === undefined
      ? []
      : [
          '  server {',
          `    listen ${BRIDGE_ADDRESS}:${directoryPort};`,
          `    proxy_pass 127.0.0.1:${directoryPort};`,
          '    proxy_connect_timeout 1s;',
          '    proxy_timeout 60s;',
          '  }',
        ];
  return [
    `load_module ${STREAM_MODULE};`,
    'daemon on;',
    'worker_processes 1;',
    `pid ${path.join(dir, 'nginx.pid')};`,
    `error_log ${path.join(dir, 'error.log')} notice;`,
    'events { worker_connections 1024; }',
    'stream {',
    ...blocks,
    ...forward,
    '}',
    '',
  ].join('\n');
}

/** Whether the running balancer's configuration is already this one (no reload needed). */
export function loadBalancerUpToDate(
  settings: Pick<RehearsalSettings, 'stateDir'>,
  ports: readonly number[],
  nodes: readonly Pick<NodeSlot, 'address'>[],
  down: ReadonlySet<string>,
  directoryPort?: number,
): boolean {
  const files = lbPaths(settings);
  return (
    existsSync(files.config) && readFileSync(files.config, 'utf8') === loadBalancerConfig(files.dir, ports, nodes, down, directoryPort)
  );
}

/** Pid of the stand-in load balancer's nginx master, when it runs. */
export function loadBalancerPid(settings: Pick<RehearsalSettings, 'stateDir'>): number | undefined {
  const files = lbPaths(settings);
  return ownProcess(files.pidFile, files.config);
}

/** Starts (or reconfigures) the stand-in load balancer; returns what it did. */
export async function ensureLoadBalancer(
  settings: Pick<RehearsalSettings, 'stateDir'>,
  ports: readonly number[],
  nodes: readonly NodeSlot[],
  /** Addresses out of service (lb-health.ts): listed `down`, so no new connection goes there. */
  down: ReadonlySet<string> = new Set(),
  /** ACME mode: the directory's port, forwarded from the bridge address to the host's loopback. */
  directoryPort?: number,
): Promise<string> {
  if (!existsSync(STREAM_MODULE))
    throw new PrerequisiteError(
      `the stand-in load balancer needs nginx's stream module (${STREAM_MODULE}). Install with: apt-get install -y --no-install-recommends nginx libnginx-mod-stream`,
    );
  const files = lbPaths(settings);
  mkdirSync(files.dir, { recursive: true });
  const running = loadBalancerPid(settings);
  const same = loadBalancerUpToDate(settings, ports, nodes, down, directoryPort);
  if (!same) writeFileSync(files.config, loadBalancerConfig(files.dir, ports, nodes, down, directoryPort));
  await run('nginx', ['-t', '-q', '-c', files.config, '-p', files.dir, '-e', files.errorLog]);
  if (running !== undefined && same) return `nginx running (pid ${running})`;
  if (running !== undefined) {
    await run('nginx', ['-c', files.config, '-p', files.dir, '-e', files.errorLog, '-s', 'reload']);
    return `nginx reconfigured (pid ${running})`;
  }
  await run('nginx', ['-c', files.config, '-p', files.dir, '-e', files.errorLog]);
  for (let i = 0; i < 50 && loadBalancerPid(settings) === undefined; i++) await sleep(100);
  return `nginx started (pid ${loadBalancerPid(settings) ?? '?'})`;
}

/** Stops the stand-in load balancer if it runs. */
export async function stopLoadBalancer(settings: Pick<RehearsalSettings, 'stateDir'>): Promise<'stopped' | 'not-running'> {
  const pid = loadBalancerPid(settings);
  if (pid === undefined) return 'not-running';
  // SIGTERM to the master: fast shutdown of master and workers.
  await stopProcess(pid, 5000);
  return 'stopped';
}
