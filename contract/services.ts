/**
 * The three services of the platform and the facts about them that every part of the project
 * shares: the stack (task definitions), the images (ports they listen on, health endpoints), the
 * local rehearsal (swarm services) and the chaos module (through the stack outputs).
 *
 * Networking is `host` mode everywhere (ECS and the local swarm): the containers share the
 * instance's network namespace, so each listens on its own fixed port and the proxy reaches the
 * others at 127.0.0.1:<port>. The proxy configuration is therefore identical on EC2 and locally.
 *
 * Redundancy: the API and the frontend run as several **copies**, each copy its own ECS service
 * (swarm service locally) of one task on its own fixed port ({@link ServiceSpec.copyPorts}); the
 * proxy balances over the copies' ports. Copy 1 keeps the service's own names (an existing
 * deployment's service is kept, not replaced), copy n > 1 is `<service>-<n>`.
 */
export const SERVICE_NAMES = ['frontend', 'api', 'proxy'] as const;

/** One of the platform's three services. */
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * Linux capabilities of a container, Docker's names without `CAP_` (the subset this platform uses).
 * `drop` applies first, so `drop: ['ALL'], add: [X]` leaves X alone in the bounding set.
 */
export interface LinuxCapabilities {
  readonly add: readonly 'NET_BIND_SERVICE'[];
  readonly drop: readonly 'ALL'[];
}

/** What the platform knows about one service, independent of where it runs. */
export interface ServiceSpec {
  /** Container name in the task definition (and swarm service suffix locally). */
  readonly containerName: string;
  /** Port the container (its copy 1) listens on in the host network namespace: `copyPorts[0]`. */
  readonly port: number;
  /**
   * The fixed host port of each copy, in copy order: as many copies as ports at most. The API and
   * the frontend read their port from `PORT`; the proxy has one copy (it owns 80 and 443).
   */
  readonly copyPorts: readonly number[];
  /** Copies when the config gives none. */
  readonly defaultCopies: number;
  /** HTTP path answered by the container itself when it is alive. */
  readonly healthPath: string;
  /** Exec-form health check command (images have no shell). */
  readonly healthCheckCommand: readonly string[];
  /** Seconds the container gets between SIGTERM and SIGKILL. */
  readonly stopTimeoutSeconds: number;
  /** Hard memory limit (MiB) used when the config gives none. */
  readonly defaultMemoryMiB: number;
  /**
   * Hard CPU limit in ECS CPU units (1024 = one vCPU); absent: none, the service may use any idle
   * CPU of the host. On ECS on EC2 a container's own `cpu` is only a relative weight (cpu.shares),
   * so the limit is the task definition's task-level `cpu`, which the agent enforces as a CFS quota
   * on the task's cgroup (the container's parent); the rehearsal sets the same quota on the
   * container with `deploy.resources.limits.cpus` = units / 1024.
   */
  readonly cpuLimitUnits?: number;
  /** Numeric `uid:gid` the container runs as: its image's USER, stated again where it runs (task definition, stack file). */
  readonly user: string;
  /** Capabilities the container keeps; absent: the runtime's defaults. */
  readonly capabilities?: LinuxCapabilities;
}

/** The platform's services. Ports are the contract between the images and the proxy config. */
export const SERVICES: Readonly<Record<ServiceName, ServiceSpec>> = {
  frontend: {
    containerName: 'frontend',
    port: 8081,
    copyPorts: [8081, 8083],
    defaultCopies: 2,
    healthPath: '/healthz',
    healthCheckCommand: ['CMD', '/usr/local/bin/healthcheck', 'http://127.0.0.1:8081/healthz'],
    stopTimeoutSeconds: 10,
    defaultMemoryMiB: 64,
    // www-data in the Debian-based image; port 8081 needs no privilege.
    user: '33:33',
  },
  api: {
    containerName: 'api',
    port: 8080,
    copyPorts: [8080, 8082],
    defaultCopies: 2,
    healthPath: '/healthz',
    healthCheckCommand: ['CMD', '/usr/local/bin/api', 'healthcheck'],
    stopTimeoutSeconds: 10,
    defaultMemoryMiB: 128,
    // A quarter of a vCPU: the API's own work is tiny, and a runaway (host:burn-cpu) must not take
    // the instance's CPU from the proxy and the frontend.
    cpuLimitUnits: 256,
    // The distroless convention for "nonroot" in a scratch image.
    user: '65532:65532',
  },
  proxy: {
    containerName: 'proxy',
    port: 80,
    copyPorts: [80],
    defaultCopies: 1,
    healthPath: '/healthz',
    healthCheckCommand: ['CMD', '/usr/local/bin/healthcheck', 'http://127.0.0.1:80/healthz'],
    stopTimeoutSeconds: 15,
    defaultMemoryMiB: 128,
    // A user of the image's own (docker/proxy/Dockerfile). It binds 80 and 443 in the host's
    // network namespace through the file capability on the image's nginx binary, which works only
    // while NET_BIND_SERVICE is in the bounding set: the one capability kept.
    user: '101:101',
    capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
  },
};

/** One copy of a service: its number (1, 2, …), its name suffix and its host port. */
export interface ServiceCopy {
  readonly service: ServiceName;
  /** 1-based. */
  readonly copy: number;
  /** `api` for copy 1, `api-2` for copy 2: the ECS service / swarm service / task family suffix. */
  readonly name: string;
  readonly port: number;
}

/** The copy's name: the service's own for copy 1 (kept from before copies existed), `<service>-<n>` after. */
export function copyName(service: ServiceName, copy: number): string {
  return copy === 1 ? service : `${service}-${copy}`;
}

/** The first `count` copies of a service; throws past its ports. */
export function serviceCopies(service: ServiceName, count: number): readonly ServiceCopy[] {
  const ports = SERVICES[service].copyPorts;
  if (!Number.isInteger(count) || count < 1 || count > ports.length)
    throw new Error(`${service} has ${ports.length} copy port(s): ${count} copies cannot run`);
  return ports.slice(0, count).map((port, i) => ({ service, copy: i + 1, name: copyName(service, i + 1), port }));
}

/**
 * The health check of one copy: the service's command with a URL's port moved to the copy's port
 * (the frontend's checker takes a URL; the API's reads `PORT`, which each copy sets).
 */
export function copyHealthCheckCommand(service: ServiceName, port: number): readonly string[] {
  if (port === SERVICES[service].port) return SERVICES[service].healthCheckCommand;
  return SERVICES[service].healthCheckCommand.map((word) => {
    if (!/^https?:\/\//.test(word)) return word;
    const url = new URL(word);
    url.port = String(port);
    return url.toString();
  });
}

/** The numeric ids of a `uid:gid` user such as {@link ServiceSpec.user}. */
export function userIds(user: string): { readonly uid: number; readonly gid: number } {
  const match = /^(\d+):(\d+)$/.exec(user);
  if (match === null) throw new Error(`user "${user}" is not a numeric uid:gid`);
  return { uid: Number(match[1]), gid: Number(match[2]) };
}

/** HTTPS port of the proxy (only served once a domain is configured). */
export const PROXY_HTTPS_PORT = 443;

/** The only ports a fleet's load balancer listens on: the proxy's HTTP and HTTPS, passed through. */
export const PROXY_WEB_PORTS: readonly number[] = [SERVICES.proxy.port, PROXY_HTTPS_PORT];

/**
 * The proxy's readiness on port 80 in every mode: 200 only when an API copy and a frontend copy on
 * the same host answer (docker/proxy/templates/service-locations.conf.template). The network load
 * balancer checks it, so an instance whose proxy reaches no copy of either leaves the target groups.
 */
export const PROXY_READINESS_PATH = '/readyz';

/** Where the proxy keeps the ACME account and certificates inside its container. */
export const CERTIFICATE_MOUNT_PATH = '/etc/acme';
